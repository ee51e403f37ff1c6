#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=3G memmap=1G!4G timeout=600 kernel=patched iommu=edu2 vtd=intremap=off,aw-bits=48
#
# VT-d matrix cell: legacy mode, 4-level (48-bit) second-stage tables.
# The steps are those of tests/iommu/cell.sh.
# shellcheck source=tests/iommu/cell.sh
. "$VM_TOP/tests/iommu/cell.sh"
