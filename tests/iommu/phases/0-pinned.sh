# SPDX-License-Identifier: GPL-2.0-only
#
# Kernel 0, sourced by 0-pool.sh with edu #1's group bound to the pool:
# guest memory pinned for DMA stays the tenant's.  A VMM maps namespace
# PIN_NS through VFIO (tables in the pool), then unmaps it and closes
# /dev/daxN.M with the container still open, so only the IOMMU pins the
# pages.  Meanwhile (tests/iommu/while-pinned.sh) destroy-namespace and
# init-labels --force are refused with EBUSY and change nothing, and with
# a pool domain live dax_pkern can neither be unbound from e820_pmem nor
# unloaded; then the domain maps, DMAs and unmaps again.  Once the
# container is closed the destroy succeeds: the pins went with it.
# shellcheck shell=bash
# e1 g1 come from find_edus (tests/iommu/lib.sh)
# shellcheck disable=SC2154

PIN_NS=vm-pin
pk create-namespace -r pkern0 -n "$PIN_NS" -s 4M -t guest -a 2M >/dev/null || exit 1
pin_dax=$(ns_dev "$PIN_NS") || exit 1
must "DMA through $pin_dax, then its mapping and file gone, still pinned" \
	"$EDU" "${EDU_BACKEND[@]}" --group "$g1" --device "$e1" --dax "$pin_dax" --iova "$X" \
	--size "$MAP_SIZE" "${POOL_ARGS[@]}" \
	--pinned "$IOMMU_DIR/while-pinned.sh $PIN_NS"
[ "$(pool_in_use)" = 0 ] || fail "after the pinned domain's teardown $(pool_in_use) pool pages in use"
# once the container is closed nothing pins the pages (the series'
# VFIO type1 unpins device-dax pages; stock 6.12 never does)
must "destroy $PIN_NS after its container closed" \
	"$PKDAXCTL" destroy-namespace "$PIN_NS" -r pkern0
[ -e "$pin_dax" ] && fail "destroyed $PIN_NS, but $pin_dax is still there"
no_splat
log "pinned for DMA: destroy and format refused, unbind and unload refused with a live pool domain; destroy succeeds once the container closed"
