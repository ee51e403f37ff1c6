#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=3G memmap=1G!4G timeout=900 kernel=patched iommu=edu2
#
# What the old kernel trusts about the next one before it keeps a
# device's translation across kexec (the patched kernel with QEMU's
# intel-iommu and two edu devices, as scenarios/iommu.sh).  Each kernel
# after the first held a domain of edu 1 across kexec, told the right
# intel_iommu_handoff= (tests/iommu/phases/trust.sh):
#   0  cold boot: the pool; kexec that also says intel_iommu=off
#   1  the old kernel kept nothing, edu's DMA stopped (VT-d is off here)
#   2  kexec that also names the record as intel-iommu-handoff=0x1000
#   3  the old kernel kept nothing, edu's DMA stopped; kexec into
#      Debian's stock kernel, which does not adopt kept translation
#   4  (stock kernel) the old kernel kept nothing, edu's DMA stopped
#   5  kexec with a smaller memmap= than the range that holds the record
#   6  the record lies outside persistent memory: refused unmapped
# tests/iommu/lib.sh names the pool, the IOVAs and the shared steps.
# shellcheck source=tests/harness/lib.sh
. "$VM_TOP/tests/harness/lib.sh"
# shellcheck source=tests/iommu/lib.sh
. "$VM_TOP/tests/iommu/lib.sh"
# shellcheck source=tests/iommu/phases/trust.sh
. "$IOMMU_DIR/phases/trust.sh"

case $PH in
0)
	trust_setup
	trust_hold_and_kexec intel_iommu=off
	;;
1)
	trust_not_kept "does not leave VT-d on"
	# no domain to hold with VT-d off: on to a kernel that has it
	kexec_load "$KERNEL" intel_iommu=on
	touch "$OUT/.kexec"
	;;
2)
	load_iommu_stack
	trust_hold_and_kexec intel-iommu-handoff=0x1000
	;;
3)
	trust_not_kept "names intel_iommu_handoff= more than once, differently"
	trust_hold_and_kexec_stock "intel-iommu-handoff=$(get handoff)"
	;;
4)
	trust_stock_not_kept
	;;
5)
	load_iommu_stack
	trust_hold_and_kexec memmap=64M!4G
	;;
6)
	trust_record_outside
	pass
	;;
*) fail "no kernel $PH in this scenario" ;;
esac
