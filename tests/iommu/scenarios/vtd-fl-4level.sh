#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=3G memmap=1G!4G timeout=600 kernel=patched iommu=edu2 vtd=x-scalable-mode=on,x-flts=on,aw-bits=48,intremap=on qemu=10
#
# VT-d matrix cell: scalable mode, 4-level first-stage tables (QEMU 10's x-flts), interrupt remapping on.
# The steps are those of tests/iommu/cell.sh.
# shellcheck source=tests/iommu/cell.sh
. "$VM_TOP/tests/iommu/cell.sh"
