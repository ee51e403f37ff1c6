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
old_kernel_kept_nothing "cannot keep its translation across kexec: $why" \
	"a kept domain for '$why'"
found_nothing_kept
log "old kernel: cannot keep its translation across kexec: $why"
load_iommu_stack
dma_stopped "$e1"
no_splat
# a matrix cell (cell.sh) ends here
[ "${CELL_LAST:-}" != "$PH" ] || { pass; return 0; }
must "bind group $g1 to $POOL" \
	sh -c "echo $POOL >/sys/kernel/iommu_groups/$g1/pgtable_pool"
bind_vfio "$e1"
corrupt_and_kexec "$next" "$g1" "$e1" "$(ns_dev vm1)"
