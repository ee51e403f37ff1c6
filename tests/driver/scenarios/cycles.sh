#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=3G memmap=1G!4G timeout=600
#
# Five kexec cycles in a row.  Every cycle verifies all data
# written so far, rewrites one namespace with a new seed, and adds a
# namespace, so data and label updates both have to survive each kexec.
. "$VM_TOP/tests/harness/lib.sh"

CYCLES=5

# verify_all: every namespace created so far holds its last seed
verify_all() {
	local n dev
	while read -r n <&3; do
		dev=$(ns_dev "$n") || exit 1
		[ "$dev" = "$(get dev."$n")" ] || fail "$n is $dev, was $(get dev."$n")"
		must "verify $n" "$VMM" verify "$dev" "$(get seed."$n")" "$STATE/layout.$n"
	done 3<"$STATE/names"
}

# add NAME SIZE SEED
add() {
	local dev
	pk create-namespace -r pkern0 -n "$1" -s "$2" -t guest -a 2M >/dev/null || exit 1
	dev=$(ns_dev "$1") || exit 1
	save dev."$1" "$dev"
	save seed."$1" "$3"
	echo "$1" >>"$STATE/names"
	must "fill $1" "$VMM" fill "$dev" "$3" "$STATE/layout.$1"
}

load_pkern
if [ "$PH" -eq 0 ]; then
	pk init-labels -r pkern0 >/dev/null || exit 1
	: >"$STATE/names"
	add hot 128M 100
else
	verify_all
	log "cycle $PH: $(wc -l <"$STATE/names") namespaces intact"
	[ "$PH" -eq $CYCLES ] && { no_splat; pass; exit 0; }
	# rewrite the hot namespace in place, then grow the label set
	seed=$((100 + PH))
	must "rewrite hot" "$VMM" fill "$(get dev.hot)" $seed "$STATE/layout.hot"
	save seed.hot $seed
fi
add cycle"$PH" 32M $((200 + PH))
no_splat
kexec_next
