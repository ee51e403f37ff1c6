# SPDX-License-Identifier: GPL-2.0-only
#
# Kernels 2 and 4: a corrupted kept translation is refused by the new
# kernel.  Each was handed a held domain whose tables the previous kernel
# damaged (vfio_edu --corrupt) while its provider claimed the damaged
# leaf's 2 MiB as guest memory, so the old kernel's own check let it by:
# kernel 2 a leaf for X mapping physical 0, i.e. memory of the next
# kernel; kernel 4 a leaf mapping the pool itself.  The kernel refused
# it, saying why, and blocked DMA: edu DMA through X lands nowhere, VT-d
# reports the fault, no splat.  Each hands the next damage on: a root
# entry pointing into RAM, a leaf mapping the labels (the old kernel
# must refuse both, kernels 3 and 5).
# shellcheck shell=bash

read -r e1 g1 < <(get edu1)
case $PH in
2) why="guest memory outside persistent memory" next=table-ram ;;
4) why="guest memory overlaps the pool" next=leaf-label ;;
esac
new_kernel_rejected "$why" "corrupt kept translation"
load_iommu_stack
dax=$(ns_dev vm1) || exit 1
must "edu DMA through the refused translation lands nowhere" \
	"$EDU_DMA" --device "$e1" --iova "$X" --dax "$dax" --from 0x4000 --to 0x6000 --expect-fault
dmesg | grep -qE "$X_FAULT" ||
	fail "no DMAR fault logged for the DMA through $X"
no_splat
must "bind group $g1 to $POOL" \
	sh -c "echo $POOL >/sys/kernel/iommu_groups/$g1/pgtable_pool"
bind_vfio "$e1"
corrupt_and_kexec "$next" "$g1" "$e1" "$dax"
