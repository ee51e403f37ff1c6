# SPDX-License-Identifier: GPL-2.0-only
#
# Kernel 1: the kept translation is adopted.  The new kernel adopted it
# (and says how long nobody managed it); before any driver or mapping,
# edu DMA through X and Z lands in the same namespace pages, and since
# that translation reaches the pool and vm1, neither can be destroyed
# nor the region formatted; the pool holds the domain's tables,
# unchanged, plus the kept root and context table.
# Edu raises an interrupt: its MSI was masked at the device by the
# previous kernel, nothing arrives, the interrupt stays pending in edu.
# A new VMM attaches, adopts the domain (DMA still lands when its group
# joins the container and when the domain is attached, before it maps
# anything), maps X again (not Z), enables MSI (the pending interrupt
# is still in edu's status; a new one reaches the VMM), maps other memory over two of Z's
# four kept pages (the new owner's map replaces them), opens the device:
# adoption completes, Z's other kept leaves are revoked, DMA through Z
# faults and DMA through the new map lands.  It unmaps X (DMA through it is then refused),
# maps Y and DMAs through it; the pool then holds exactly the domain's
# tables, and none after; nothing kept reaches vm1 any more, so it can
# be destroyed (and is made again).  Ends by holding a new domain across
# kexec with its leaf for X mapping physical 0 (kernel 2 must refuse it).
# shellcheck shell=bash

read -r e1 g1 < <(get edu1)
pool_args
old_kernel_said "keeping translation of 1 device(s) across kexec" ||
	fail "the previous kernel did not log that it kept edu $e1's translation"
adopt=$(dmesg | grep -o 'adopted the translation of .* unmanaged for [0-9]* us') ||
	fail "VT-d did not adopt the kept translation: $(dmesg | grep -E 'DMAR: .*(kept|Translation|handoff)' | tail -n 2)"
log "VT-d: $adopt"
save unmanaged_us "${adopt##*unmanaged for }"
load_iommu_stack
dax=$(ns_dev vm1) || exit 1

# no driver and no mapping yet, DMA still lands in vm1
must "edu DMA through kept IOVA $X before any new mapping" \
	"$EDU_DMA" --device "$e1" --iova "$X" --dax "$dax" --from 0x4000 --to 0x6000
must "edu DMA through kept IOVA $Z before any new mapping" \
	"$EDU_DMA" --device "$e1" --iova "$Z" --dax "$dax" --from 0x1000 --to 0x3000
refused_while_kept
# interrupts: masked at the device by the previous kernel, so what edu
# raises now sends no message into this kernel's interrupt remapping
# table or vectors, and stays pending in the device
old_kernel_said "interrupts masked at the device ( MSI) until its new owner enables them" ||
	fail "the previous kernel did not mask edu $e1's MSI"
must "edu raises an interrupt while kept, masked at the device" \
	"$EDU_DMA" --device "$e1" --raise-irq
if dmesg | grep -qiE 'INTR-REMAP|IR fault|spurious APIC|No irq handler'; then
	fail "an interrupt of the kept device reached this kernel: $(dmesg | grep -iE 'INTR-REMAP|IR fault|spurious APIC|No irq handler' | tail -n 1)"
fi
attr=/sys/kernel/iommu_groups/$g1/pgtable_pool
must "bind group $g1 to $POOL after kexec" sh -c "echo $POOL >$attr"
hp=$(handoff_pages)
[ -n "$hp" ] || fail "the previous kernel did not say how many handoff pages it used"
[ "$(pool_in_use)" = "$(($(get in_use) + hp))" ] ||
	fail "after kexec $POOL has $(pool_in_use) pages in use, expected the domain's $(get in_use) + $hp handoff pages"
must "page tables unchanged across kexec" "$EDU" --tables-check "$STATE/tables"
log "after kexec: $(pool_in_use) pool pages in use, domain tables identical"

# a new VMM adopts the kept domain, unmaps X, maps Y
bind_vfio "$e1"
must "new VMM adopts the kept domain, maps $X only, unmaps $X, maps $Y" \
	"$EDU" "${EDU_BACKEND[@]}" --group "$g1" --device "$e1" --dax "$dax" --iova "$X" \
	--size "$MAP_SIZE" "${POOL_ARGS[@]}" --msi --irq-pending 0x1 --clash "$(printf '0x%x' $((Z + 0x2000)))" --revoked "$Z" \
	--adopt --remap "$Y" --between "$EDU_DMA --device $e1 --iova $X --dax $dax --from 0x8000 --to 0xa000"
dmesg | grep -q "domain adopts the page tables kept by the previous kernel" ||
	fail "vfio_edu passed, but VT-d never logged the adoption"
dmesg | grep -q "adopted domain: mapping 0x$(printf '%x' $(((Z + 0x1000) >> 12)))+0x2 replaces 2 page(s) of kept mappings" ||
	fail "the map over kept Z + 4K..Z + 12K did not replace its 2 kept leaves: $(dmesg | grep 'adopted domain:' | tail -n 1)"
dmesg | grep -q "adoption of the kept translation complete: 2 kept mapping(s) not mapped again revoked" ||
	fail "adoption did not revoke the other 2 of Z's 4 kept leaves: $(dmesg | grep 'adoption of the kept' | tail -n 1)"
dmesg | grep -qE "$X_FAULT" ||
	fail "no DMAR fault logged for the DMA through unmapped $X"
[ "$(pool_in_use)" = 0 ] ||
	fail "after the adopted domain's teardown $(pool_in_use) pool pages in use"
no_splat

# adopted, then torn down: nothing kept reaches vm1 any more
must "destroy vm1 once no kept translation reaches it" \
	"$PKDAXCTL" destroy-namespace -r pkern0 vm1
pk create-namespace -r pkern0 -n vm1 -s 64M -t guest -a 2M >/dev/null || exit 1
dax=$(ns_dev vm1) || exit 1

# kept translations the next kernels must refuse, one per kernel
corrupt_and_kexec leaf-ram "$g1" "$e1" "$dax"
