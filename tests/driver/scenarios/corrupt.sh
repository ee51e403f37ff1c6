#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=3G memmap=1G!4G timeout=420
#
# Labels damaged while dax_pkern is not loaded (through the
# stock pmem driver): one slot with a bad checksum, one slot holding a
# valid copy of another namespace's label (same name, UUID and extent).
# Only the valid namespaces come up, with their bytes; no kernel splat;
# 'pkdaxctl check' exits 1 and names both slots.
. "$VM_TOP/tests/harness/lib.sh"

SLOT_OFF=$((0x4000))
SLOT_SIZE=256

case $PH in
0)
	load_pkern
	pk init-labels -r pkern0 >/dev/null || exit 1
	for n in good1 crc dup good2; do
		pk create-namespace -r pkern0 -n $n -s 32M -t guest -a 2M >/dev/null || exit 1
		save slot.$n "$(ns_field $n slot)"
		dev=$(ns_dev $n) || exit 1
		save dev.$n "$dev"
	done
	must "fill good1" "$VMM" fill "$(get dev.good1)" 21 "$STATE/layout.good1"
	must "fill good2" "$VMM" fill "$(get dev.good2)" 22 "$STATE/layout.good2"
	pk check >/dev/null || exit 1
	kexec_next
	;;
1)
	stock_up
	# flip bytes in the middle of one label: CRC mismatch
	raw_poke $((SLOT_OFF + $(get slot.crc) * SLOT_SIZE + 100)) deadbeefdeadbeef
	# overwrite another with a byte copy of good1's label: CRC is valid,
	# name, UUID and extent collide
	dd if=/dev/pmem0 of="$STATE/good1.label" bs=$SLOT_SIZE count=1 \
		skip=$((SLOT_OFF / SLOT_SIZE + $(get slot.good1))) 2>/dev/null
	dd if="$STATE/good1.label" of=/dev/pmem0 bs=$SLOT_SIZE count=1 \
		seek=$((SLOT_OFF / SLOT_SIZE + $(get slot.dup))) conv=notrunc,fsync 2>/dev/null ||
		fail "writing the duplicate label failed"
	kexec_next
	;;
2)
	load_pkern
	[ "$(pkern_state)" = ready ] || fail "state is '$(pkern_state)' with two bad labels"
	for n in good1 good2; do
		dev=$(ns_dev $n) || exit 1
		[ "$dev" = "$(get dev.$n)" ] || fail "$n came back as $dev, was $(get dev.$n)"
	done
	must "verify good1" "$VMM" verify "$(get dev.good1)" 21 "$STATE/layout.good1"
	must "verify good2" "$VMM" verify "$(get dev.good2)" 22 "$STATE/layout.good2"
	for n in crc dup; do
		[ -e "$(get dev.$n)" ] && fail "damaged slot $(get slot.$n) ($n) exposed as $(get dev.$n)"
		dmesg | grep -i pkern | grep -qE "slot[^0-9]{0,3}$(get slot.$n)([^0-9]|$)" ||
			fail "kernel log does not name damaged slot $(get slot.$n)"
	done
	must_fail "pkdaxctl check on damaged labels" "$PKDAXCTL" check -r pkern0
	[ $MUST_RC -eq 1 ] || fail "pkdaxctl check exited $MUST_RC, expected 1 (problems found)"
	for n in crc dup; do
		printf '%s\n' "$MUST_OUT" | grep -qiE "slot[^0-9]{0,3}$(get slot.$n)([^0-9]|$)" ||
			fail "pkdaxctl check does not name damaged slot $(get slot.$n)"
	done
	no_splat
	pass
	;;
esac
