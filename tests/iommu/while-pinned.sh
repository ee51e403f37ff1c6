#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# while-pinned.sh NS: run by vfio_edu --pinned (tests/iommu/phases/0-pinned.sh)
# while a VFIO container alone pins guest namespace NS, whose page tables
# live in a pkern pool.  Every check runs; any failure fails the scenario
# with all of them.
. "$VM_TOP/tests/harness/lib.sh"
# shellcheck source=tests/iommu/lib.sh
. "$VM_TOP/tests/iommu/lib.sh"

ns=$1
problems=()
bad() { problems+=("$*"); log "not as expected: $*"; }

# refused ACTION: the last command failed with EBUSY and logged why
refused() {
	case $MUST_OUT in *[Bb]usy* | *"open or mapped"*) ;; *) bad "$1: '$MUST_OUT', expected EBUSY" ;; esac
}

before=$(pk list -N | jq -S .)

if "$PKDAXCTL" destroy-namespace "$ns" -r pkern0 >"$OUT/pin.out" 2>&1; then
	bad "destroy-namespace $ns succeeded while its pages are pinned for DMA"
else
	MUST_OUT=$(cat "$OUT/pin.out")
	refused "destroy-namespace $ns"
	dmesg | grep -q "namespace $ns (slot [0-9]*) is busy (pinned for DMA)" ||
		bad "no 'pinned for DMA' reason in the kernel log"
fi
if "$PKDAXCTL" init-labels -r pkern0 --force >"$OUT/pin.out" 2>&1; then
	bad "init-labels --force succeeded while pages are pinned for DMA"
else
	MUST_OUT=$(cat "$OUT/pin.out")
	refused "init-labels --force"
fi
cat "$OUT/pin.out" >>"$OUT/log"

unbind=/sys/bus/platform/drivers/dax_pkern/unbind
if bash -c "echo e820_pmem >$unbind" 2>>"$OUT/log"; then
	bad "dax_pkern was unbound from e820_pmem with a live pool domain"
fi
drv=$(basename "$(readlink /sys/bus/platform/devices/e820_pmem/driver)")
[ "$drv" = dax_pkern ] || bad "e820_pmem is bound to '$drv', not dax_pkern"
if rmmod dax_pkern 2>>"$OUT/log"; then
	bad "rmmod dax_pkern succeeded with a live pool domain"
fi
log "dax_pkern refcount $(cat /sys/module/dax_pkern/refcnt 2>/dev/null) with the pool held"

after=$(pk list -N | jq -S .)
[ "$after" = "$before" ] || bad "the namespaces changed while pinned"
[ -e "$(ns_dev "$ns")" ] || bad "$ns lost its dax device"

[ ${#problems[@]} -eq 0 ] || fail "while $ns was pinned for DMA: $(IFS=';'; echo "${problems[*]}")"
log "while $ns was pinned for DMA: destroy and format refused, no unbind, no rmmod"
