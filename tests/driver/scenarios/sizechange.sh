#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=5G memmap=1G!4G timeout=480
#
# Boot with a different memmap= size -> nothing exposed,
# nothing changed (label area and namespace bytes compared raw through
# the stock pmem driver); boot back with the right size -> all intact.
# -m 5G: q35 puts RAM above 2 GiB at 4 GiB, so 4G..7G is RAM and
# memmap=2G!4G stays clear of the firmware's reservations at its top.
. "$VM_TOP/tests/harness/lib.sh"

# dump_raw TAG: label area + namespace data via stock /dev/pmem0
dump_raw() {
	local ls
	ls=$(get label_size)
	dd if=/dev/pmem0 of="$STATE/labels.$1" bs=4096 count=$((ls / 4096)) 2>/dev/null ||
		fail "reading the label area from /dev/pmem0 failed"
	raw_sha "$(get off.a)" "$(get size.a)" >"$STATE/data.$1"
}

case $PH in
0)
	load_pkern
	pk init-labels -r pkern0 >/dev/null || exit 1
	pk create-namespace -r pkern0 -n a -s 64M -t guest -a 2M >/dev/null || exit 1
	dev=$(ns_dev a) || exit 1
	save dev.a "$dev"
	save off.a "$(ns_field a offset)"
	save size.a $((64 << 20))
	save label_size "$(cat /sys/class/pkern/pkern0/label_size)"
	must "fill a" "$VMM" fill "$dev" 7 "$STATE/layout.a"
	kexec_next
	;;
1)
	# reference copy, same size, pkern not loaded
	stock_up
	dump_raw ref
	kexec_next memmap=2G!4G
	;;
2)
	load_pkern
	[ "$(pkern_state)" = size_changed ] ||
		fail "with memmap=2G!4G state is '$(pkern_state)', expected size_changed"
	ls /dev/dax* >/dev/null 2>&1 && fail "dax devices exposed on a resized region: $(ls /dev/dax*)"
	[ -z "$(daxctl list -D 2>/dev/null)" ] ||
		fail "daxctl lists devices on a resized region: $(daxctl list -D | tr -d ' \n')"
	must_fail "create on a resized region" \
		"$PKDAXCTL" create-namespace -r pkern0 -n b -s 64M -t guest -a 2M
	dmesg | grep -i pkern | tail -n 3 | tee -a "$OUT/log"
	must "unload dax_pkern" rmmod dax_pkern
	# the stock driver reads the same bytes pkern refused to touch
	stock_up
	dump_raw resized
	cmp -s "$STATE/labels.ref" "$STATE/labels.resized" ||
		fail "label area changed on the resized boot: $(cmp "$STATE/labels.ref" "$STATE/labels.resized")"
	cmp -s "$STATE/data.ref" "$STATE/data.resized" ||
		fail "namespace a's bytes changed on the resized boot"
	kexec_next memmap=1G!4G
	;;
3)
	load_pkern
	[ "$(pkern_state)" = ready ] || fail "back at 1G the state is '$(pkern_state)'"
	dev=$(ns_dev a) || exit 1
	[ "$dev" = "$(get dev.a)" ] || fail "a came back as $dev, was $(get dev.a)"
	must "verify a" "$VMM" verify "$dev" 7 "$STATE/layout.a"
	no_splat
	pass
	;;
esac
