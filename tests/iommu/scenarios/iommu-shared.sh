#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=3G memmap=1G!4G timeout=600 kernel=patched iommu=edu2
#
# Two IOMMU groups bound to one page-table pool, as the two assigned
# devices of one VM are, both keep their DMA translation across kexec
# (the patched kernel with QEMU's intel-iommu and two edu devices, as
# scenarios/iommu.sh).  Two kernels (tests/iommu/phases/):
#   0  s0-shared.sh   both edu domains take their tables from the pool
#                     and are held across kexec
#   1  s1-shared.sh   both kept translations adopted, DMA through both
# tests/iommu/lib.sh names the pool, the IOVAs and the shared steps.
# shellcheck source=tests/harness/lib.sh
. "$VM_TOP/tests/harness/lib.sh"
# shellcheck source=tests/iommu/lib.sh
. "$VM_TOP/tests/iommu/lib.sh"

case $PH in
0)
	# shellcheck source=tests/iommu/phases/s0-shared.sh
	. "$IOMMU_DIR/phases/s0-shared.sh"
	;;
1)
	# shellcheck source=tests/iommu/phases/s1-shared.sh
	. "$IOMMU_DIR/phases/s1-shared.sh"
	;;
*) fail "no kernel $PH in this scenario" ;;
esac
