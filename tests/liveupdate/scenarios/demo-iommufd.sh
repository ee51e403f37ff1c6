#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=3G memmap=1G!4G timeout=2400 boot_timeout=400 kernel=patched iommu=edu-rp
#
# The live update of scenarios/demo.sh with QEMU 10 on its iommufd
# backend: both QEMUs open edu through iommufd and its VFIO cdev.  The
# new QEMU's HWPT takes its tables from the group's pool and adopts the
# kept translation when edu attaches to its (still empty) IOAS; the kept
# mappings stay until QEMU resumes the device, after it mapped guest RAM
# again, so edu's DMA never stops.
# shellcheck disable=SC2034	# read by scenarios/demo.sh
LU_IOMMUFD=1
# shellcheck source=tests/liveupdate/scenarios/demo.sh
. "$VM_TOP/tests/liveupdate/scenarios/demo.sh"
