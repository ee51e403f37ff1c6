#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=3G memmap=1G!4G timeout=900 kernel=patched iommu=edu2
#
# IOMMU page tables in a pkern pool, and DMA translation that survives
# kexec, on the patched kernel (make kernel kernel-modules) with QEMU's
# intel-iommu and two edu devices (the header's kernel=/iommu= keys).
# Every kexec passes intel_iommu_handoff=<the pool's handoff_addr from
# pkdaxctl list>.  Seven kernels, each proving one thing (tests/iommu/phases/):
#   0  0-pool.sh        page tables in the pool; a domain held across kexec
#   1  1-adopt.sh       the kept translation adopted, DMA lands throughout
#   2  2-refuse.sh      a leaf mapping the next kernel's memory: refused
#   3  3-old-refused.sh a root entry pointing into RAM: not kept
#   4  2-refuse.sh      a leaf mapping the pool itself: refused
#   5  3-old-refused.sh a leaf mapping the labels: not kept
#   6  6-not-kept.sh    a kernel told the wrong address: nothing kept
# ("refused": by the new kernel, the provider having lied to the old one;
# "not kept": the old kernel's own check at shutdown.)
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
2 | 4)
	# shellcheck source=tests/iommu/phases/2-refuse.sh
	. "$IOMMU_DIR/phases/2-refuse.sh"
	;;
3 | 5)
	# shellcheck source=tests/iommu/phases/3-old-refused.sh
	. "$IOMMU_DIR/phases/3-old-refused.sh"
	;;
6)
	# shellcheck source=tests/iommu/phases/6-not-kept.sh
	. "$IOMMU_DIR/phases/6-not-kept.sh"
	;;
*) fail "no kernel $PH in this scenario" ;;
esac
