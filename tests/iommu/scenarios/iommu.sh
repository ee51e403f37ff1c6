#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=3G memmap=1G!4G timeout=900 kernel=patched iommu=edu2
#
# IOMMU page tables in a pkern pool, and DMA translation that survives
# kexec, on the patched kernel (make kernel kernel-modules) with QEMU's
# intel-iommu and two edu devices (the header's kernel=/iommu= keys).
# Every kexec passes intel_iommu_handoff=<the pool's handoff_addr from
# pkdaxctl list>.  Six kernels, each proving one thing (tests/iommu/phases/):
#   0  0-pool.sh      page tables in the pool; a domain held across kexec
#   1  1-adopt.sh     the kept translation adopted, DMA lands throughout
#   2  2-refuse.sh    a leaf mapping the next kernel's memory: refused
#   3  2-refuse.sh    a root entry pointing into RAM: refused
#   4  2-refuse.sh    a leaf mapping the pool itself: refused
#   5  5-not-kept.sh  a kernel told the wrong address: nothing kept
# tests/iommu/lib.sh names the pool, the IOVAs and the shared steps.
# shellcheck source=tests/harness/lib.sh
. "$VM_TOP/tests/harness/lib.sh"
# shellcheck source=tests/iommu/lib.sh
. "$VM_TOP/tests/iommu/lib.sh"

case $PH in
0)
	# shellcheck source=tests/iommu/phases/0-pool.sh
	. "$IOMMU_DIR/phases/0-pool.sh"
	;;
1)
	# shellcheck source=tests/iommu/phases/1-adopt.sh
	. "$IOMMU_DIR/phases/1-adopt.sh"
	;;
2 | 3 | 4)
	# shellcheck source=tests/iommu/phases/2-refuse.sh
	. "$IOMMU_DIR/phases/2-refuse.sh"
	;;
5)
	# shellcheck source=tests/iommu/phases/5-not-kept.sh
	. "$IOMMU_DIR/phases/5-not-kept.sh"
	;;
*) fail "no kernel $PH in this scenario" ;;
esac
