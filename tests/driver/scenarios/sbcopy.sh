#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=3G memmap=1G!4G timeout=420
#
# One flipped bit in superblock copy 0 beside a blank copy 1 (as a
# format that wrote one copy left it), made while dax_pkern is not
# loaded.  The region must come up as damaged, not unformatted: the log
# says so and never advises init-labels, init-labels without --force
# refuses, and a live check --repair says it cannot.  With the bit put
# back (copy 1 still blank) the region is ready and check --repair
# restores copy 1 through the driver.
. "$VM_TOP/tests/harness/lib.sh"

SB1_OFF=4096

case $PH in
0)
	load_pkern
	pk init-labels -r pkern0 >/dev/null || exit 1
	pk create-namespace -r pkern0 -n keep -s 32M -t guest -a 2M >/dev/null || exit 1
	kexec_next
	;;
1)
	stock_up
	dd if=/dev/zero of=/dev/pmem0 bs=4096 count=1 seek=$((SB1_OFF / 4096)) \
		conv=notrunc,fsync 2>/dev/null || fail "blanking copy 1 failed"
	raw_poke 16 00	# copy 0's sequence 1 -> 0: one bit
	kexec_next
	;;
2)
	load_pkern
	[ "$(pkern_state)" = corrupt ] || fail "state is '$(pkern_state)', expected corrupt"
	dmesg | grep -i pkern0 | grep -q "superblock damaged.*may still be intact" ||
		fail "kernel log does not say the superblock is damaged"
	dmesg | grep -i pkern0 | grep -q "init-labels" &&
		fail "kernel log advises init-labels for a damaged region"
	must_fail "init-labels on a damaged region" "$PKDAXCTL" init-labels -r pkern0
	printf '%s\n' "$MUST_OUT" | grep -q "label area is damaged" ||
		fail "init-labels does not say the label area is damaged"
	printf '%s\n' "$MUST_OUT" | grep -q -- "--force" &&
		fail "init-labels advises --force for a damaged region"
	must_fail "live check --repair" "$PKDAXCTL" check -r pkern0 --repair
	[ $MUST_RC -eq 1 ] || fail "check --repair exited $MUST_RC, expected 1"
	printf '%s\n' "$MUST_OUT" | grep -q "no automatic repair is possible and nothing was changed" ||
		fail "check --repair does not refuse clearly"
	[ "$(pkern_state)" = corrupt ] || fail "state changed to '$(pkern_state)'"
	kexec_next
	;;
3)
	stock_up
	raw_poke 16 01	# the bit back: copy 0 valid, copy 1 still blank
	kexec_next
	;;
4)
	load_pkern
	[ "$(pkern_state)" = ready ] || fail "state is '$(pkern_state)', expected ready"
	dmesg | grep -i pkern0 | grep -q "copy 1 is damaged, blank or stale.*--repair" ||
		fail "kernel log does not point at check --repair"
	must_fail "check with a blank copy" "$PKDAXCTL" check -r pkern0
	printf '%s\n' "$MUST_OUT" | grep -q "superblock 1: superblock copy is blank" ||
		fail "check does not report the blank copy"
	must "live check --repair" "$PKDAXCTL" check -r pkern0 --repair
	must "check after repair" "$PKDAXCTL" check -r pkern0
	dev=$(ns_dev keep) || exit 1
	[ -e "$dev" ] || fail "namespace keep gone after repair"
	no_splat
	pass
	;;
esac
