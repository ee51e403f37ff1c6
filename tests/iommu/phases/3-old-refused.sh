# SPDX-License-Identifier: GPL-2.0-only
#
# Kernels 3 and 5: the old kernel refused to keep a corrupted domain.
# It was held across kexec with damaged tables (vfio_edu --corrupt) and
# an honest provider: kernel 3 got a root entry pointing at a "table" in
# RAM, kernel 5 a leaf mapping the region's labels (persistent memory,
# but no guest namespace).  The old kernel checked the tables at
# shutdown, said why it kept nothing and stopped the device's DMA (bus
# mastering off); this kernel finds no kept translation.  Kernel 3 hands
# on a leaf mapping the pool, kernel 5 the wrong handoff address.
# shellcheck shell=bash

read -r e1 g1 < <(get edu1)
case $PH in
3) why="page table outside the pool" next=leaf-pool ;;
5) why="mapping outside the guest memory of the pool's region" next=wrong-addr ;;
esac
old_kernel_said "cannot keep its translation across kexec: $why" ||
	fail "the previous kernel did not refuse a kept domain for '$why': $(tac "$OUT/serial.log" |
		sed -n "/pkern.phase=$PH /,/Starting new kernel/p" | grep -E 'keep|kept|stopping its DMA' | tr '\n' ' ')"
old_kernel_said "translation not kept across kexec; stopping its DMA" ||
	fail "the previous kernel did not stop edu $e1's DMA"
if dmesg | grep -qE "adopted the translation|translation kept by the previous kernel"; then
	fail "this kernel found kept translation: $(dmesg | grep -E 'DMAR: .*kept' | tail -n 1)"
fi
log "old kernel: cannot keep its translation across kexec: $why"
load_iommu_stack
dax=$(ns_dev vm1) || exit 1
must_fail "edu DMA with bus mastering off" \
	"$EDU_DMA" --device "$e1" --iova "$X" --dax "$dax" --from 0x4000 --to 0x6000
case $MUST_OUT in *"bus mastering off"*) ;; *) fail "edu after a refused kexec: '$MUST_OUT', expected bus mastering off" ;; esac
no_splat
must "bind group $g1 to $POOL" \
	sh -c "echo $POOL >/sys/kernel/iommu_groups/$g1/pgtable_pool"
bind_vfio "$e1"
corrupt_and_kexec "$next" "$g1" "$e1" "$dax"
