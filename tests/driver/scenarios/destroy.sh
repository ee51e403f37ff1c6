#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=3G memmap=1G!4G timeout=360
#
# A destroyed namespace stays destroyed across kexec, the
# others stay intact, and a new namespace placed on its space reads zero.
# A mapped namespace cannot be destroyed.
. "$VM_TOP/tests/harness/lib.sh"

case $PH in
0)
	load_pkern
	pk init-labels -r pkern0 >/dev/null || exit 1
	seed=10
	for n in keep-a doomed keep-b; do
		pk create-namespace -r pkern0 -n $n -s 64M -t guest -a 2M >/dev/null || exit 1
		dev=$(ns_dev $n) || exit 1
		save dev.$n "$dev"
		must "fill $n" "$VMM" fill "$dev" $seed "$STATE/layout.$n"
		seed=$((seed + 1))
	done
	save off.doomed "$(ns_field doomed offset)"
	# busy: mapped by a running "guest" -> refused, nothing changes
	"$VMM" hold "$(get dev.doomed)" 60 >"$STATE/hold.out" &
	holder=$!
	for _ in $(seq 50); do
		grep -q mapped "$STATE/hold.out" && break
		sleep 0.1
	done
	grep -q mapped "$STATE/hold.out" || fail "could not map $(get dev.doomed)"
	must_fail "destroy of an open namespace" "$PKDAXCTL" destroy-namespace doomed
	kill $holder; wait $holder 2>/dev/null
	[ -e "$(get dev.doomed)" ] || fail "refused destroy still removed $(get dev.doomed)"
	must "verify doomed after refused destroy" \
		"$VMM" verify "$(get dev.doomed)" 11 "$STATE/layout.doomed"
	pk destroy-namespace doomed >/dev/null || exit 1
	[ -e "$(get dev.doomed)" ] && fail "$(get dev.doomed) still present after destroy"
	[ -z "$(ns_field doomed name)" ] || fail "doomed still listed after destroy"
	kexec_next
	;;
1)
	load_pkern
	[ -z "$(ns_field doomed name)" ] || fail "destroyed namespace is back after kexec"
	[ -e "$(get dev.doomed)" ] && fail "$(get dev.doomed) is back after kexec"
	seed=10
	for n in keep-a doomed keep-b; do
		if [ $n != doomed ]; then
			dev=$(ns_dev $n) || exit 1
			[ "$dev" = "$(get dev.$n)" ] || fail "$n came back as $dev, was $(get dev.$n)"
			must "verify $n" "$VMM" verify "$dev" $seed "$STATE/layout.$n"
		fi
		seed=$((seed + 1))
	done
	# reuse exactly the destroyed extent: it must read zero
	off=$(get off.doomed)
	pk create-namespace -r pkern0 -n reuse -s 64M -t guest -a 2M --offset "$off" >/dev/null || exit 1
	[ "$(ns_field reuse offset)" = "$off" ] ||
		fail "reuse landed at $(ns_field reuse offset), asked for $off"
	dev=$(ns_dev reuse) || exit 1
	must "new namespace on destroyed space reads zero" "$VMM" zero "$dev"
	pk check >/dev/null || exit 1
	no_splat
	pass
	;;
esac
