# SPDX-License-Identifier: GPL-2.0-only
#
# Kernel 0 of scenarios/iommu-shared.sh (cold boot): both edu devices'
# groups are bound to the same pool, and each device's VFIO domain (its
# own container, as two VMMs or two containers of one VM would have)
# maps guest memory at X with its tables in the pool and is held across
# kexec.
# shellcheck shell=bash
# e1 e2 g1 g2 come from find_edus (tests/iommu/lib.sh)
# shellcheck disable=SC2154

[ -x "$EDU" ] || fail "$EDU not built (make)"
load_iommu_stack
make_pool
dax=$(ns_dev vm1) || exit 1

find_edus
for g in "$g1" "$g2"; do
	must "bind group $g to $POOL" sh -c "echo $POOL >/sys/kernel/iommu_groups/$g/pgtable_pool"
done

bind_vfio "$e1"
bind_vfio "$e2"
hold_domain "$OUT/hold1.log" --group "$g1" --device "$e1" \
	--dax "$dax" --iova "$X" --size "$MAP_SIZE" "${POOL_ARGS[@]}" --tables "$STATE/tables1"
hold_domain "$OUT/hold2.log" --group "$g2" --device "$e2" \
	--dax "$dax" --iova "$X" --size "$MAP_SIZE" "${POOL_ARGS[@]}" --tables "$STATE/tables2"
save in_use "$(pool_in_use)"
log "holding two domains: $(get in_use) pool pages in use"
kexec_holding
