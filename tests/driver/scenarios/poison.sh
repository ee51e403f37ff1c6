#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=3G memmap=1G!4G timeout=900
#
# A memory error in a mapped guest namespace (madvise(MADV_HWPOISON) by
# the VMM, dax_poison.c): the VMM gets SIGBUS BUS_MCEERR_AR, the page is
# recorded in the label area; after kexec it is still recorded and
# marked poisoned again; destroy + create avoids it; the destroy's scrub
# left it untouched (read through stock /dev/pmem0 in a boot without
# pkern); clear-errors forgets it; a full list refuses the next page
# loudly; probe time with 1 and with 487 recorded pages.  Stock
# device-dax maps the flagged page again: the touches after the first
# signal are silent reads here (driver/poison-kexec, on the patched
# kernel, checks that they signal).
. "$VM_TOP/tests/harness/lib.sh"
# shellcheck source=tests/driver/poison-lib.sh
. "$VM_TOP/tests/driver/poison-lib.sh"

OFF=$((0x5000))		# the page, inside vm0

probe_us() {
	dmesg | sed -n 's/.*pkern0: [0-9]* namespaces ready in \([0-9]*\) us.*/\1/p' | tail -n 1
}

case $PH in
0)
	[ -x "$POISON" ] || fail "$POISON not built (make)"
	load_pkern
	pk init-labels -r pkern0 >/dev/null || exit 1
	pk create-namespace -r pkern0 -n vm0 -s 64M -t guest -a 4K >/dev/null || exit 1
	dev=$(ns_dev vm0) || exit 1
	must "fill vm0" "$VMM" fill "$dev" 7 "$STATE/layout.vm0"
	base=$(ns_field vm0 offset)
	save bad $((base + OFF))
	got=$("$POISON" "$dev" $OFF poison) || fail "dax_poison failed"
	[ "$got" = "sigbus BUS_MCEERR_AR" ] ||
		fail "VMM poisoning its page got '$got', expected sigbus BUS_MCEERR_AR"
	wait_recorded 1
	[ "$(cat "$SYS/badblocks")" = "$(get bad) 4096" ] ||
		fail "badblocks shows '$(cat "$SYS/badblocks")', expected '$(get bad) 4096'"
	[ "$(pk list -r pkern0 -N -M | jq -c '.[] | select(.name == "vm0") | .badblocks')" = "[{\"offset\":$OFF,\"length\":4096}]" ] ||
		fail "pkdaxctl list -N -M does not show the page in vm0"
	dmesg | grep -q "memory error at offset $(printf '%#x' "$(get bad)") .* recorded" ||
		fail "no 'memory error ... recorded' line in dmesg"
	# the same page again: known, nothing written
	gen=$(cat "$SYS/generation")
	got=$("$POISON" "$dev" $OFF poison) || fail "dax_poison failed"
	log "second poison of the page: $got"
	sleep 1
	[ "$(cat "$SYS/generation")" = "$gen" ] ||
		fail "poisoning a recorded page again wrote the labels"
	got=$("$POISON" "$dev" $OFF touch) || fail "dax_poison failed"
	log "touch of the poisoned page before kexec: $got"
	save touch0 "$got"
	kexec_next
	;;
1)
	load_pkern
	[ "$(bad_count)" = 1 ] || fail "after kexec badblock_count is $(bad_count), expected 1"
	[ "$(cat "$SYS/badblocks")" = "$(get bad) 4096" ] ||
		fail "after kexec badblocks shows '$(cat "$SYS/badblocks")'"
	dmesg | grep -q 'pkern0: 1 recorded bad pages (1 pages in exposed guest namespaces flagged poisoned again)' ||
		fail "probe did not flag the recorded page poisoned: $(dmesg | grep 'recorded bad' | tail -n 1)"
	log "probe with 1 recorded page: $(probe_us) us"
	save probe1 "$(probe_us)"
	dev=$(ns_dev vm0) || exit 1
	got=$("$POISON" "$dev" $OFF touch) || fail "dax_poison failed"
	log "touch of the recorded page after kexec: $got (before kexec: $(get touch0))"
	# stock device-dax maps a flagged page again without a signal, before
	# a kexec as after it: the second access only signals when the
	# hardware raises the error again (no emulated error does)
	[ "$got" = "$(get touch0)" ] ||
		fail "touch after kexec '$got' differs from the touch before it '$(get touch0)'"
	save touch1 "$got"
	# an exact offset over the page is refused, first fit goes around
	base=$(ns_field vm0 offset)
	pk destroy-namespace -r pkern0 vm0 >/dev/null || exit 1
	[ "$(bad_count)" = 1 ] || fail "destroy dropped the record"
	must_fail "create over the bad page" "$PKDAXCTL" create-namespace -r pkern0 \
		-n over -s 2M -t guest -a 4K --offset "$base"
	pk create-namespace -r pkern0 -n vm1 -s 64M -t guest -a 4K >/dev/null || exit 1
	o=$(ns_field vm1 offset)
	s=$(ns_field vm1 size)
	if [ $((o)) -le "$(get bad)" ] && [ "$(get bad)" -lt $((o + s)) ]; then
		fail "vm1 at $o+$s covers the recorded page $(get bad)"
	fi
	save vm1 "$((o)) $((s))"
	no_splat
	kexec_next
	;;
2)
	# no pkern: read the bytes through the stock pmem driver
	stock_up
	bad=$(get bad)
	page=$(dd if=/dev/pmem0 bs=4096 skip=$((bad / 4096)) count=1 2>/dev/null |
		tr -d '\0' | wc -c)
	prev=$(dd if=/dev/pmem0 bs=4096 skip=$((bad / 4096 - 1)) count=1 2>/dev/null |
		tr -d '\0' | wc -c)
	[ "$page" -gt 0 ] || fail "the recorded page was zeroed by the destroy's scrub"
	[ "$prev" -eq 0 ] || fail "the page before it was not zeroed by the destroy"
	log "recorded page kept its bytes ($page non-zero), its neighbour was zeroed"
	kexec_next
	;;
3)
	load_pkern
	bad=$(get bad)
	log "probe with 1 recorded page outside namespaces: $(probe_us) us"
	must_fail "clear-errors without a range" "$PKDAXCTL" clear-errors -r pkern0
	pk clear-errors -r pkern0 --offset "$bad" --length 4096 >/dev/null || exit 1
	[ "$(bad_count)" = 0 ] || fail "clear-errors left $(bad_count) recorded pages"
	pk list -r pkern0 -R -M | jq -e '.[0].badblock_count == 0 and .[0].badblocks == []' >/dev/null ||
		fail "pkdaxctl list still shows recorded pages after clear-errors"
	# probe time with an empty list: load the driver again
	must "unload dax_pkern" rmmod dax_pkern
	load_pkern
	save probe3 "$(probe_us)"
	log "probe with no recorded page: $(get probe3) us"
	dev=$(ns_dev vm1) || exit 1
	read -r o _ <<<"$(get vm1)"
	# the hwpoison injector, on a page the VMM mapped once: recorded too
	must "load hwpoison_inject" modprobe hwpoison_inject
	[ -d /sys/kernel/debug/hwpoison ] || mount -t debugfs none /sys/kernel/debug
	got=$("$POISON" "$dev" 0x1000 touch) || fail "dax_poison failed"
	pfn=$(( ($(cat "$SYS/phys_addr") + o + 0x1000) / 4096 ))
	echo "$pfn" >/sys/kernel/debug/hwpoison/corrupt-pfn ||
		fail "hwpoison corrupt-pfn $pfn failed"
	wait_recorded 1
	[ "$(cat "$SYS/badblocks")" = "$((o + 0x1000)) 4096" ] ||
		fail "injected page: badblocks shows '$(cat "$SYS/badblocks")'"
	pk clear-errors -r pkern0 --offset $((o + 0x1000)) --length 4K >/dev/null || exit 1
	# fill the list: 487 pages two apart, then one more
	"$POISON" "$dev" 0 poison 488 8192 >"$OUT/poison.full" ||
		fail "dax_poison failed"
	[ "$(grep -c 'sigbus BUS_MCEERR_AR' "$OUT/poison.full")" = 488 ] ||
		fail "not every poisoned page signalled: $(sort "$OUT/poison.full" | uniq -c | tr '\n' ' ')"
	wait_recorded 487
	sleep 1
	[ "$(bad_count)" = 487 ] || fail "list holds $(bad_count) pages, capacity is 487"
	dmesg | grep -q 'NOT recorded: bad-page list is full' ||
		fail "the page that did not fit was dropped silently"
	no_splat
	kexec_next
	;;
4)
	load_pkern
	[ "$(bad_count)" = 487 ] || fail "after kexec badblock_count is $(bad_count)"
	# 487 scattered runs do not fit the sysfs page: cut short, no splat
	lines=$(wc -l <"$SYS/badblocks")
	if [ "$lines" -le 100 ] || [ "$lines" -gt 487 ]; then
		fail "badblocks shows $lines runs of 487"
	fi
	[ "$(pk list -r pkern0 -R -M | jq '.[0].badblocks | length')" = 487 ] ||
		fail "pkdaxctl list -M does not show all 487 runs"
	log "probe with 487 recorded pages: $(probe_us) us (1 page: $(get probe1) us, none: $(get probe3) us)"
	dmesg | grep 'recorded bad pages' | tail -n 1 >>"$OUT/log"
	no_splat
	pass
	;;
esac
