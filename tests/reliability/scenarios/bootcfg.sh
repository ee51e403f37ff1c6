#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=3G memmap=512M!4G timeout=900
#
# Changed boot configuration (a size change is the driver suite's sizechange):
#   phase 0  512M!4G: labels, namespace a filled; kexec with a second
#            range 256M!4608M added
#   phase 1  pkern0 unchanged (same set, same label bytes, same data);
#            pkern1 is new, unformatted, exposes nothing; kexec with the
#            region moved: 4G is now only reserved (memmap=$), the only
#            pmem range is 256M!4608M
#   phase 2  one region, at 4608M, unformatted: nothing exposed, and
#            none of the old namespaces anywhere; kexec back to 512M!4G
#   phase 3  the original state: same set, label bytes and data
. "$VM_TOP/tests/harness/lib.sh"

labels_sha() { pk inspect -r pkern0 | sha256sum | cut -d' ' -f1; }
set_sha() { pk list -N -r pkern0 | jq -S 'map(del(.region))' | sha256sum | cut -d' ' -f1; }

same_as_before() {
	[ "$(pkern_state)" = ready ] || fail "pkern0 state $(pkern_state)"
	[ "$(cat /sys/class/pkern/pkern0/phys_addr)" = "$(get phys)" ] ||
		fail "pkern0 moved to $(cat /sys/class/pkern/pkern0/phys_addr)"
	[ "$(set_sha)" = "$(get set)" ] || fail "namespace set changed"
	[ "$(labels_sha)" = "$(get labels)" ] || fail "label area changed"
	must "verify a" "$VMM" verify "$(get dev.a)" 9 "$STATE/layout.a"
}

nothing_exposed() {
	local d
	d=$(find /dev -maxdepth 1 -name 'dax*' | tr '\n' ' ')
	[ -z "$d" ] || fail "$1: dax devices exposed: $d"
}

case $PH in
0)
	load_pkern
	pk init-labels -r pkern0 >/dev/null || exit 1
	pk create-namespace -r pkern0 -n a -s 64M -t guest -a 2M >/dev/null || exit 1
	pk create-namespace -r pkern0 -n pool -s 8M -t iommu >/dev/null || exit 1
	save dev.a "$(ns_dev a)"
	must "fill a" "$VMM" fill "$(get dev.a)" 9 "$STATE/layout.a"
	save phys "$(cat /sys/class/pkern/pkern0/phys_addr)"
	save set "$(set_sha)"
	save labels "$(labels_sha)"
	kexec_next 'memmap=512M!4G' 'memmap=256M!4608M'
	;;
1)
	load_pkern
	same_as_before
	wait_for /sys/class/pkern/pkern1/state 5 || fail "second range: no pkern1"
	st=$(cat /sys/class/pkern/pkern1/state)
	[ "$st" = unformatted ] || fail "new range pkern1 is '$st', want unformatted"
	ls /dev/dax1.* >/dev/null 2>&1 && fail "pkern1 exposes $(ls /dev/dax1.*)"
	no_splat
	# shellcheck disable=SC2016	# memmap=SIZE$START: '$' is the kernel's
	kexec_next 'memmap=512M$4G' 'memmap=256M!4608M'
	;;
2)
	load_pkern
	# shellcheck disable=SC2012	# sysfs names are plain words
	[ "$(ls /sys/class/pkern)" = pkern0 ] || fail "regions: $(ls /sys/class/pkern | tr '\n' ' ')"
	[ "$(($(cat /sys/class/pkern/pkern0/phys_addr)))" = $((4608 << 20)) ] ||
		fail "pkern0 at $(cat /sys/class/pkern/pkern0/phys_addr), want 4608M"
	st=$(pkern_state)
	[ "$st" != ready ] || fail "moved region is ready"
	nothing_exposed "region moved"
	[ "$("$PKDAXCTL" list -N 2>/dev/null | jq length 2>/dev/null || echo 0)" -eq 0 ] ||
		fail "namespaces listed on the moved region"
	no_splat
	kexec_next 'memmap=512M!4G'
	;;
3)
	load_pkern
	# shellcheck disable=SC2012	# sysfs names are plain words
	[ "$(ls /sys/class/pkern)" = pkern0 ] || fail "regions: $(ls /sys/class/pkern | tr '\n' ' ')"
	same_as_before
	echo "COUNT boot configurations: 4 (base, range added, region moved, back); state back intact" >>"$OUT/log"
	no_splat
	pass
	;;
esac
