# SPDX-License-Identifier: GPL-2.0-only
#
# Kernel 0, sourced by 0-pool.sh with edu #1's group bound to the pool:
# guest memory pinned for DMA stays the tenant's.  A VMM maps namespace
# PIN_NS through VFIO (tables in the pool), then unmaps it and closes
# /dev/daxN.M with the container still open, so only the IOMMU pins the
# pages.  Meanwhile (tests/iommu/while-pinned.sh) destroy-namespace and
# init-labels --force are refused with EBUSY and change nothing, and with
# a pool domain live dax_pkern can neither be unbound from e820_pmem nor
# unloaded; then the domain maps, DMAs and unmaps again.  VFIO never
# drops its pins of device-dax pages, so the destroy stays refused after
# the container closes (the next kernel has a fresh memmap).
# shellcheck shell=bash
# e1 g1 come from find_edus (tests/iommu/lib.sh)
# shellcheck disable=SC2154

PIN_NS=vm-pin
pk create-namespace -r pkern0 -n "$PIN_NS" -s 4M -t guest -a 2M >/dev/null || exit 1
pin_dax=$(ns_dev "$PIN_NS") || exit 1
must "DMA through $pin_dax, then its mapping and file gone, still pinned" \
	"$EDU" --group "$g1" --device "$e1" --dax "$pin_dax" --iova "$X" \
	--size "$MAP_SIZE" "${POOL_ARGS[@]}" \
	--pinned "$IOMMU_DIR/while-pinned.sh $PIN_NS"
[ "$(pool_in_use)" = 0 ] || fail "after the pinned domain's teardown $(pool_in_use) pool pages in use"
# VFIO type1 pins device-dax pages but never unpins them: put_pfn() skips
# PageReserved pages, which ZONE_DEVICE pages are in 6.12.  So the pins
# outlive the container and the namespace stays refused until its memmap
# is rebuilt (kexec, or a reload of dax_pkern); the driver says so once.
must_fail "destroy $PIN_NS after its container closed" \
	"$PKDAXCTL" destroy-namespace "$PIN_NS" -r pkern0
dmesg | tail -n 3 | grep -q "namespace $PIN_NS (slot [0-9]*) is busy (pinned for DMA)" ||
	fail "destroying $PIN_NS after its container closed: not refused as pinned"
dmesg | grep -q "VFIO type1 does not unpin device-dax pages" ||
	fail "no hint that VFIO leaves device-dax pages pinned"
[ -e "$pin_dax" ] || fail "refused destroy removed $pin_dax"
no_splat
log "pinned for DMA: destroy and format refused, unbind and unload refused with a live pool domain; VFIO's pins outlive the container"
