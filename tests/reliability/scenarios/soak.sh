#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=3G memmap=1G!4G timeout=3600
#
# kexec soak: N consecutive kexec cycles (N from build/reliability/
# soak-cycles, written by make: 20 for `make soak`, fewer in make check).
# Each cycle, after the kexec: every byte of every live namespace is
# verified, the namespace made two cycles ago is destroyed, a new one is
# created (its memory must read zero: reused space is scrubbed) and
# filled, and the long-lived "hot" one is rewritten with a new seed.
. "$VM_TOP/tests/harness/lib.sh"

CYCLES=$(cat "$VM_B/reliability/soak-cycles" 2>/dev/null || echo 3)
SZ=32

bytes() { save bytes $(($(get bytes) + $1)); }

verify_all() {
	local n dev
	while read -r n <&3; do
		dev=$(ns_dev "$n") || exit 1
		[ "$dev" = "$(get dev."$n")" ] || fail "$n is $dev, was $(get dev."$n")"
		must "verify $n" "$VMM" verify "$dev" "$(get seed."$n")" "$STATE/layout.$n"
		bytes "$(get size."$n")"
	done 3<"$STATE/names"
}

add() {
	local dev
	pk create-namespace -r pkern0 -n "$1" -s "$2"M -t guest -a 2M >/dev/null || exit 1
	dev=$(ns_dev "$1") || exit 1
	save dev."$1" "$dev"
	save seed."$1" "$3"
	save size."$1" $(($2 << 20))
	must "new $1 reads zero" "$VMM" zero "$dev"
	bytes $(($2 << 20))
	echo "$1" >>"$STATE/names"
	must "fill $1" "$VMM" fill "$dev" "$3" "$STATE/layout.$1"
}

load_pkern
if [ "$PH" -eq 0 ]; then
	pk init-labels -r pkern0 >/dev/null || exit 1
	: >"$STATE/names"
	save bytes 0
	add hot 64 1000
else
	[ "$(pkern_state)" = ready ] || fail "state $(pkern_state) after kexec $PH"
	verify_all
	must "check after kexec $PH" "$PKDAXCTL" check -r pkern0
	log "cycle $PH/$CYCLES: $(wc -l <"$STATE/names") namespaces intact"
	if [ "$PH" -ge "$CYCLES" ]; then
		echo "COUNT kexec cycles survived: $PH" >>"$OUT/log"
		echo "COUNT bytes verified (every byte of every namespace each cycle, plus zero checks): $(get bytes)" >>"$OUT/log"
		no_splat
		pass
		exit 0
	fi
	old=c$((PH - 2))
	if grep -qx $old "$STATE/names"; then
		pk destroy-namespace $old -r pkern0 >/dev/null || exit 1
		[ -e "$(get dev.$old)" ] && fail "$old's device survived its destroy"
		grep -vx $old "$STATE/names" >"$STATE/names.new"
		mv "$STATE/names.new" "$STATE/names"
	fi
	seed=$((1000 + PH))
	must "rewrite hot" "$VMM" fill "$(get dev.hot)" $seed "$STATE/layout.hot"
	save seed.hot $seed
fi
# the new namespace lands in the space the destroyed one left
add c"$PH" $SZ $((2000 + PH))
no_splat
kexec_next
