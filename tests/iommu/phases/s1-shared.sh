# SPDX-License-Identifier: GPL-2.0-only
#
# Kernel 1 of scenarios/iommu-shared.sh: the previous kernel kept the
# translation of both devices in one handoff; this kernel adopted both;
# before any driver or mapping, edu DMA through X of each device lands
# in vm1, and neither vm1 nor the pool can be destroyed, nor the region
# formatted; rebinding both groups opens one pool, which holds both
# domains' tables, unchanged, plus the kept root and context table.
# Then nobody adopts them: each device gets an ordinary VFIO domain,
# which takes its context entry and ends its kept translation; while
# one still lives, vm1 stays busy, and once neither does, the pool, vm1
# and the labels can go.
# shellcheck shell=bash

read -r e1 g1 < <(get edu1)
read -r e2 g2 < <(get edu2)
old_kernel_said "keeping translation of 2 device(s) across kexec" ||
	fail "the previous kernel did not keep both devices' translation: $(tac "$OUT/serial.log" |
		sed -n "/pkern.phase=$PH /,/Starting new kernel/p" | grep -E 'keep|kept|stopping its DMA' | tr '\n' ' ')"
dmesg | grep -q 'adopted the translation of 2 device(s) .* unmanaged for' ||
	fail "VT-d did not adopt both kept translations: $(dmesg | grep -E 'DMAR: .*(kept|Translation|handoff)' | tail -n 2)"
load_iommu_stack
dax=$(ns_dev vm1) || exit 1

# no driver and no mapping yet, DMA of both devices still lands in vm1
must "edu $e1 DMA through kept IOVA $X" \
	"$EDU_DMA" --device "$e1" --iova "$X" --dax "$dax" --from 0x4000 --to 0x6000
must "edu $e2 DMA through kept IOVA $X" \
	"$EDU_DMA" --device "$e2" --iova "$X" --dax "$dax" --from 0x8000 --to 0xa000

refused_while_kept

for g in "$g1" "$g2"; do
	must "bind group $g to $POOL after kexec" sh -c "echo $POOL >/sys/kernel/iommu_groups/$g/pgtable_pool"
done
n=$(awk -v n="$POOL" '$1 == n' "$DBG_DIR/pools" | wc -l)
[ "$n" = 1 ] || fail "two groups bound to $POOL opened it $n times"
hp=$(handoff_pages)
[ -n "$hp" ] || fail "the previous kernel did not say how many handoff pages it used"
[ "$(pool_in_use)" = "$(($(get in_use) + hp))" ] ||
	fail "after kexec $POOL has $(pool_in_use) pages in use, expected both domains' $(get in_use) + $hp handoff pages"
must "edu $e1's page tables unchanged across kexec" "$EDU" --tables-check "$STATE/tables1"
must "edu $e2's page tables unchanged across kexec" "$EDU" --tables-check "$STATE/tables2"

# nobody adopts: another domain takes each device, and its kept
# translation ends
bind_vfio "$e1"
ended=0
for d in "$e2 $g2" "$e1 $g1"; do
	read -r e g <<<"$d"
	must "unbind group $g from $POOL" sh -c "echo >/sys/kernel/iommu_groups/$g/pgtable_pool"
	must "edu $e DMA through an ordinary VFIO domain" \
		"$EDU" --group "$g" --device "$e" --iova "$X" --size "$MAP_SIZE"
	ended=$((ended + 1))
	n=$(dmesg | grep -c "kept translation ended unadopted: another domain took the device")
	[ "$n" = "$ended" ] ||
		fail "after $e got another domain, $n kept translation(s) ended, expected $ended"
	if [ "$ended" = 1 ]; then
		must_fail "destroy vm1 while $e1's kept DMA still reaches it" \
			"$PKDAXCTL" destroy-namespace -r pkern0 vm1
	fi
done
# ... and what its tables held can be reclaimed
must "destroy $POOL once nothing kept reaches it" "$PKDAXCTL" destroy-namespace -r pkern0 "$POOL"
must "destroy vm1 once nothing kept reaches it" "$PKDAXCTL" destroy-namespace -r pkern0 vm1
must "init-labels --force once nothing kept reaches the region" \
	"$PKDAXCTL" init-labels -r pkern0 --force
log "kept translations ended unadopted; $POOL and vm1 destroyed, region formatted"
no_splat
pass
