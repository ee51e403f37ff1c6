# SPDX-License-Identifier: GPL-2.0-only
#
# Kernel 0 (cold boot): VT-d page tables live in a pkern pool.  An iommu
# namespace bound to edu #1's group holds every VT-d table of its VFIO
# domain (checked against the debugfs dump and the pool count), edu DMA
# through a guest namespace is byte-exact, teardown gives every page
# back; edu #2's domain uses ordinary pages; binding is refused while
# VFIO owns the group; pages pinned for DMA cannot be destroyed, nor the
# pool's region unbound (0-pinned.sh).  The normal build of pkern_iommu
# has none of the test-only debugfs files (the suite runs the test
# build).  Then edu #1's domain maps guest memory at X and Z, has its
# MSI enabled (an interrupt edu raises reaches the VMM's eventfd), and
# stays assigned across kexec.
# shellcheck shell=bash
# e1 e2 g1 g2 come from find_edus (tests/iommu/lib.sh)
# shellcheck disable=SC2154

[ -x "$EDU" ] || fail "$EDU not built (make)"
load_iommu_stack
check_plain_provider
make_pool
dax=$(ns_dev vm1) || exit 1

find_edus
attr=/sys/kernel/iommu_groups/$g1/pgtable_pool

# binding: unknown pool refused, then bound and visible
# bash, not sh: dash reports every failed write as "I/O error"
must_fail "bind to a pool that does not exist" \
	bash -c "echo no-such-pool >$attr"
case $MUST_OUT in *"No such file"*) ;; *) fail "binding an unknown pool: '$MUST_OUT', expected ENOENT" ;; esac
must "bind group $g1 to $POOL" sh -c "echo $POOL >$attr"
[ "$(cat "$attr")" = "$POOL" ] || fail "$attr reads '$(cat "$attr")'"
[ "$(pool_in_use)" = 0 ] || fail "fresh pool has $(pool_in_use) pages in use"

bind_vfio "$e1"
bind_vfio "$e2"
must "edu DMA with page tables in $POOL" \
	"$EDU" "${EDU_BACKEND[@]}" --group "$g1" --device "$e1" --dax "$dax" --iova "$X" --size "$MAP_SIZE" "${POOL_ARGS[@]}"
must "edu DMA with ordinary page tables" \
	"$EDU" "${EDU_BACKEND[@]}" --group "$g2" --device "$e2" --ordinary \
	--iova "$X" --size "$MAP_SIZE" "${POOL_ARGS[@]}"
[ "$(pool_in_use)" = 0 ] || fail "after teardown $(pool_in_use) pool pages in use"
# shellcheck source=tests/iommu/phases/0-pinned.sh
. "$IOMMU_DIR/phases/0-pinned.sh"

# a persistent domain maps vm1 at X and Z and stays assigned across kexec
hold_domain "$OUT/hold.log" --group "$g1" --device "$e1" --dax "$dax" --msi \
	--iova "$X" --size "$MAP_SIZE" --extra "$Z" "${POOL_ARGS[@]}" --tables "$STATE/tables"
must_fail "rebinding while VFIO owns the group" bash -c "echo >$attr"
case $MUST_OUT in *[Bb]usy*) ;; *) fail "rebinding while owned: '$MUST_OUT', expected EBUSY" ;; esac
save in_use "$(pool_in_use)"
log "holding: $(get in_use) pool pages in use, tables $(wc -l <"$STATE/tables")"
kexec_holding
