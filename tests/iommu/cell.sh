# SPDX-License-Identifier: GPL-2.0-only
#
# One cell of the VT-d mode matrix (scenarios/vtd-*.sh): the first four
# kernels of scenarios/iommu.sh on the intel-iommu configuration the
# cell's header gives.  A cell runs in one outer QEMU boot, because the
# mode is fixed when that QEMU starts:
#   0  0-pool.sh        page tables in the pool; a domain held across kexec
#   1  1-adopt.sh       DMA lands before anything maps; adopted, unmapped, remapped
#   2  2-refuse.sh      a leaf mapping the next kernel's memory: refused, DMA faults
#   3  3-old-refused.sh a root entry pointing into RAM: not kept, DMA stopped
# shellcheck shell=bash
# shellcheck source=tests/harness/lib.sh
. "$VM_TOP/tests/harness/lib.sh"
# shellcheck source=tests/iommu/lib.sh
. "$VM_TOP/tests/iommu/lib.sh"

# the last kernel passes instead of handing on another corruption
CELL_LAST=3
case $PH in
0)
	# shellcheck source=tests/iommu/phases/0-pool.sh
	. "$IOMMU_DIR/phases/0-pool.sh"
	;;
1)
	# shellcheck source=tests/iommu/phases/1-adopt.sh
	. "$IOMMU_DIR/phases/1-adopt.sh"
	;;
2)
	# shellcheck source=tests/iommu/phases/2-refuse.sh
	. "$IOMMU_DIR/phases/2-refuse.sh"
	;;
3)
	# shellcheck source=tests/iommu/phases/3-old-refused.sh
	. "$IOMMU_DIR/phases/3-old-refused.sh"
	;;
*) fail "no kernel $PH in this cell" ;;
esac
