#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=3G memmap=1G!4G timeout=900 kernel=patched
#
# A poisoned guest page keeps signalling, on the patched kernel (the
# device-dax fault check of the kernel series): the VMM poisons a page
# of its mapped namespace (madvise(MADV_HWPOISON)) and gets SIGBUS
# BUS_MCEERR_AR; touching it again in the same kernel signals again;
# after kexec the page is still recorded and a touch gets SIGBUS
# BUS_MCEERR_AR at its address, 4 KiB extent, while its neighbours read
# back their data; clear-errors forgets it.  On stock device-dax the two
# later touches are silent reads (driver/poison).
. "$VM_TOP/tests/harness/lib.sh"
# shellcheck source=tests/driver/poison-lib.sh
. "$VM_TOP/tests/driver/poison-lib.sh"

KOBJ=$VM_B/kernel/obj
KERNEL=$KOBJ/arch/x86/boot/bzImage
KOS=("$KOBJ/drivers/dax/device_dax.ko" "$VM_B/kernel/dax_pkern/dax_pkern.ko")
OFF=$((0x5000))		# the page, inside vm0
WANT="sigbus BUS_MCEERR_AR at $(printf '%#x' $OFF) lsb 12"

# page_sha DEV OFFSET: sha256 of one 4 KiB page, read through a mapping
page_sha() {
	python3 - "$1" "$2" <<'PY'
import hashlib, mmap, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
m = mmap.mmap(fd, 2 << 20, mmap.MAP_SHARED, mmap.PROT_READ)
o = int(sys.argv[2], 0)
print(hashlib.sha256(m[o:o + 4096]).hexdigest())
PY
}

# load_patched: device-dax and dax_pkern of the patched kernel's build
load_patched() {
	local k
	for k in "${KOS[@]}"; do
		[ -f "$k" ] || fail "$k not built; run 'make kernel kernel-modules'"
		must "insmod $(basename "$k")" insmod "$k"
	done
	wait_for "$SYS/state" 10 ||
		fail "dax_pkern loaded but $SYS never appeared"
}

probe_us() {
	dmesg | sed -n 's/.*pkern0: [0-9]* namespaces ready in \([0-9]*\) us.*/\1/p' | tail -n 1
}

ZERO=$(head -c 4096 /dev/zero | sha256sum | cut -d' ' -f1)

case $PH in
0)
	[ -x "$POISON" ] || fail "$POISON not built (make)"
	load_patched
	pk init-labels -r pkern0 >/dev/null || exit 1
	pk create-namespace -r pkern0 -n vm0 -s 64M -t guest -a 4K >/dev/null || exit 1
	dev=$(ns_dev vm0) || exit 1
	must "fill vm0" "$VMM" fill "$dev" 7 "$STATE/layout.vm0"
	for o in $((OFF - 4096)) $((OFF + 4096)); do
		s=$(page_sha "$dev" $o) || fail "reading page $o of vm0 failed"
		[ "$s" != "$ZERO" ] || fail "page $o of vm0 is zero after fill"
		save "sha$o" "$s"
	done
	got=$("$POISON" "$dev" $OFF poison) || fail "dax_poison failed"
	[ "$got" = "sigbus BUS_MCEERR_AR" ] ||
		fail "VMM poisoning its page got '$got', expected sigbus BUS_MCEERR_AR"
	wait_recorded 1
	[ "$(pk list -r pkern0 -N -M | jq -c '.[] | select(.name == "vm0") | .badblocks')" = "[{\"offset\":$OFF,\"length\":4096}]" ] ||
		fail "pkdaxctl list -N -M does not show the page in vm0"
	got=$("$POISON" "$dev" $OFF where) || fail "dax_poison failed"
	[ "$got" = "$WANT" ] ||
		fail "second touch in the same kernel got '$got', expected '$WANT'"
	no_splat
	kexec_load "$KERNEL"
	touch "$OUT/.kexec"
	;;
1)
	load_patched
	log "probe with 1 recorded page: $(probe_us) us"
	[ "$(bad_count)" = 1 ] || fail "after kexec badblock_count is $(bad_count), expected 1"
	[ "$(pk list -r pkern0 -N -M | jq -c '.[] | select(.name == "vm0") | .badblocks')" = "[{\"offset\":$OFF,\"length\":4096}]" ] ||
		fail "after kexec pkdaxctl list -N -M does not show the page in vm0"
	dev=$(ns_dev vm0) || exit 1
	got=$("$POISON" "$dev" $OFF where) || fail "dax_poison failed"
	[ "$got" = "$WANT" ] ||
		fail "touch after kexec got '$got', expected '$WANT'"
	for o in $((OFF - 4096)) $((OFF + 4096)); do
		[ "$(page_sha "$dev" $o)" = "$(get "sha$o")" ] ||
			fail "neighbour page $o of the poisoned one lost its data"
	done
	pk clear-errors -r pkern0 --offset $(($(ns_field vm0 offset) + OFF)) --length 4096 >/dev/null || exit 1
	[ "$(bad_count)" = 0 ] || fail "clear-errors left $(bad_count) recorded pages"
	pk list -r pkern0 -R -M | jq -e '.[0].badblock_count == 0 and .[0].badblocks == []' >/dev/null ||
		fail "pkdaxctl list still shows recorded pages after clear-errors"
	no_splat
	pass
	;;
esac
