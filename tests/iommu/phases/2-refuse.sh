# SPDX-License-Identifier: GPL-2.0-only
#
# Kernels 2-4: a corrupted kept translation is refused.  Each was handed
# a held domain whose tables the previous kernel damaged (vfio_edu
# --corrupt): kernel 2 a leaf for X mapping physical 0, i.e. memory of
# the next kernel; kernel 3 a root entry pointing at a "table" in RAM;
# kernel 4 a leaf mapping the pool itself.  The kernel refused it,
# saying why, and blocked DMA: edu DMA through X lands nowhere, VT-d
# reports the fault, no splat.  Kernels 2 and 3 hand the next damage on;
# kernel 4 kexecs a held domain with the wrong intel_iommu_handoff=
# address (kernel 5 checks what the old kernel did with it).
# shellcheck shell=bash

read -r e1 g1 < <(get edu1)
case $PH in
2) why="mapping outside persistent memory" next=table-ram ;;
3) why="page table outside the pool" next=leaf-pool ;;
4) why="mapping of the pool itself" next=wrong-addr ;;
esac
dmesg | grep -q "translation kept by the previous kernel rejected: $why" ||
	fail "corrupt kept translation not refused for '$why': $(dmesg | grep -E 'DMAR: .*(kept|adopted|Translation)' | tail -n 2)"
if dmesg | grep -q "adopted the translation"; then
	fail "corrupt kept translation was adopted"
fi
log "VT-d: $(dmesg | grep -o 'translation kept by the previous kernel rejected: [^;]*')"
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
