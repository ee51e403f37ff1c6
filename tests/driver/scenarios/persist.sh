#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=6G memmap=3G!4G timeout=480
#
# Fresh region -> init-labels -> guest namespaces with 2 MiB
# and 1 GiB alignment and an iommu pool -> fill -> kexec -> the same
# devices at the same physical ranges with the same bytes, and stock
# daxctl sees exactly what it saw before.
. "$VM_TOP/tests/harness/lib.sh"

NS="vm-2m vm-1g"

case $PH in
0)
	load_pkern
	[ "$(pkern_state)" = unformatted ] ||
		fail "fresh region is '$(pkern_state)', expected unformatted"
	pk init-labels -r pkern0 >/dev/null || exit 1
	[ "$(pkern_state)" = ready ] || fail "after init-labels state is '$(pkern_state)'"
	pk create-namespace -r pkern0 -n vm-2m -s 256M -t guest -a 2M >/dev/null || exit 1
	pk create-namespace -r pkern0 -n vm-1g -s 1G -t guest -a 1G >/dev/null || exit 1
	pk create-namespace -r pkern0 -n iommu-pt -s 16M -t iommu -a 4K >/dev/null || exit 1
	for n in $NS; do
		dev=$(ns_dev "$n") || exit 1
		save dev."$n" "$dev"
	done
	# stock daxctl must see the alignment each label asked for
	dax_snapshot "$STATE/daxctl.before"
	for a in vm-2m:2097152 vm-1g:1073741824; do
		d=$(get dev.${a%%:*}); d=${d#/dev/}
		got=$(jq -r --arg d "$d" '.. | objects | select(.chardev? == $d) | .align' \
			"$STATE/daxctl.before")
		[ "$got" = "${a#*:}" ] || fail "daxctl shows $d align '$got', expected ${a#*:}"
	done
	seed=1
	for n in $NS; do
		must "fill $n" "$VMM" fill "$(get dev."$n")" $seed "$STATE/layout.$n"
		libpmem_check "$(get dev."$n")"
		seed=$((seed + 1))
	done
	pk list -N | jq -S . >"$STATE/pk.before" || exit 1
	pk check >/dev/null || exit 1
	no_splat
	kexec_next
	;;
1)
	load_pkern
	[ "$(pkern_state)" = ready ] || fail "after kexec state is '$(pkern_state)'"
	seed=1
	for n in $NS; do
		dev=$(ns_dev "$n") || exit 1
		[ "$dev" = "$(get dev."$n")" ] ||
			fail "$n came back as $dev, was $(get dev."$n")"
		must "verify $n" "$VMM" verify "$dev" $seed "$STATE/layout.$n"
		seed=$((seed + 1))
	done
	dax_snapshot "$STATE/daxctl.after"
	cmp -s "$STATE/daxctl.before" "$STATE/daxctl.after" ||
		fail "daxctl list -R -D differs after kexec: $(diff "$STATE/daxctl.before" "$STATE/daxctl.after" | grep '^[<>]' | head -n 4 | tr '\n' ' ')"
	pk list -N | jq -S . >"$STATE/pk.after" || exit 1
	cmp -s "$STATE/pk.before" "$STATE/pk.after" ||
		fail "pkdaxctl list -N differs after kexec: $(diff "$STATE/pk.before" "$STATE/pk.after" | grep '^[<>]' | head -n 4 | tr '\n' ' ')"
	pk check >/dev/null || exit 1
	no_splat
	pass
	;;
esac
