#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=3G memmap=1G!4G timeout=360
#
# Guest memory pinned long-term (FOLL_LONGTERM, as VFIO's DMA mappings
# are) stays its tenant's even after the process unmapped and closed the
# device: dax_pin (tests/driver/dax_pin.c) pins it as an io_uring fixed
# buffer.  While pinned, destroy-namespace and init-labels --force are
# refused with EBUSY, the kernel log says "pinned for DMA", and nothing
# changes; once unpinned the destroy succeeds.  Both folio kinds: 2 MiB
# pages (pin count) and 4 KiB pages (reference count).
. "$VM_TOP/tests/harness/lib.sh"

PIN=$VM_B/driver/dax_pin
[ -x "$PIN" ] || fail "$PIN not built (make)"
[ "$PH" = 0 ] || fail "no kernel $PH in this scenario"

# refused_while_pinned NS: run by dax_pin while only its pin holds NS
refused_while_pinned() {
	local ns=$1 before
	before=$(pk list -N | jq -S .)
	must_fail "destroy $ns while pinned" "$PKDAXCTL" destroy-namespace "$ns" -r pkern0
	case $MUST_OUT in *busy*) ;; *) fail "destroy $ns while pinned: '$MUST_OUT', expected EBUSY" ;; esac
	dmesg | tail -n 3 | grep -q "namespace $ns (slot [0-9]*) is busy (pinned for DMA)" ||
		fail "destroy of $ns refused without 'pinned for DMA' in the kernel log"
	must_fail "init-labels --force while $ns is pinned" "$PKDAXCTL" init-labels -r pkern0 --force
	case $MUST_OUT in *"open or mapped"*) ;; *) fail "format while $ns is pinned: '$MUST_OUT', expected EBUSY" ;; esac
	[ "$(pk list -N | jq -S .)" = "$before" ] || fail "namespaces changed while $ns was pinned"
	[ -e "$(ns_dev "$ns")" ] || fail "$ns lost its dax device while pinned"
	log "$ns pinned: destroy and format refused, nothing changed"
}

if [ "${1:-}" = while-pinned ]; then
	refused_while_pinned "$2"
	exit 0
fi

load_pkern
pk init-labels -r pkern0 >/dev/null || exit 1
for spec in p2m:2M p4k:4K; do
	ns=${spec%%:*} align=${spec#*:}
	pk create-namespace -r pkern0 -n "$ns" -s 4M -t guest -a "$align" >/dev/null || exit 1
	dev=$(ns_dev "$ns") || exit 1
	must "pin $dev, then unmap and close it" \
		"$PIN" "$dev" 2097152 "bash $VM_SCRIPT while-pinned $ns"
	must "destroy $ns once unpinned" "$PKDAXCTL" destroy-namespace "$ns" -r pkern0
	[ -z "$(ns_field "$ns" name)" ] || fail "$ns still listed after destroy"
	[ -e "$dev" ] && fail "$dev still present after destroy"
done
must "check" "$PKDAXCTL" check -r pkern0
no_splat
pass
