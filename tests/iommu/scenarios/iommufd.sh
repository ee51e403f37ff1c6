#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=3G memmap=1G!4G timeout=600 kernel=patched iommu=edu2 vtd=x-scalable-mode=on,aw-bits=48,intremap=on qemu=10
#
# The steps of tests/iommu/cell.sh with the VMM on iommufd and the VFIO
# device cdev instead of a type1 container, on the VT-d setup a Debian
# host runs (scalable mode, 4-level second-stage tables, interrupt
# remapping on): the HWPT's tables come from the group's pool, the kept
# translation is adopted when the device attaches to its filled IOAS, DMA
# lands before anything maps and through every step, and the corrupted
# kept states are refused as on type1.
# shellcheck disable=SC2034	# read by tests/iommu/lib.sh
IOMMU_BACKEND=iommufd
# shellcheck source=tests/iommu/cell.sh
. "$VM_TOP/tests/iommu/cell.sh"
