#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=3G memmap=1G!4G timeout=600 kernel=patched hmp=on cpu=max,-erms,-fsrm,vendor=GenuineIntel
#
# The machine-check path: QEMU's HMP mce injects an uncorrected,
# action-optional memory scrub error (SRAO: VAL|UC|EN|MISCV|ADDRV|S,
# MCACOD 0xc0, physical address mode, LSB 12) at a page of a mapped
# guest namespace.  Linux logs it and its decode chain hands the page to
# memory_failure(), which reaches pkern's pgmap op: the page is recorded.
# An action-optional error does not signal a process that is not
# touching the page (late kill); the VMM's next touch gets SIGBUS
# BUS_MCEERR_AR from the patched device-dax.  vendor=GenuineIntel: TCG's
# -cpu max is AuthenticAMD without MCA recovery (SUCCOR), and Linux
# panics on any uncorrected error there ("Uncorrected error without MCA
# Recovery"); as Intel with MCG_SER_P the SRAO error is recoverable.
. "$VM_TOP/tests/harness/lib.sh"
# shellcheck source=tests/driver/poison-lib.sh
. "$VM_TOP/tests/driver/poison-lib.sh"

KOBJ=$VM_B/kernel/obj
KOS=("$KOBJ/drivers/dax/device_dax.ko" "$VM_B/kernel/dax_pkern/dax_pkern.ko")
OFF=$((0x7000))		# the page, inside vm0

case $PH in
0)
	[ -x "$POISON" ] || fail "$POISON not built (make)"
	for k in "${KOS[@]}"; do
		[ -f "$k" ] || fail "$k not built; run 'make kernel kernel-modules'"
		must "insmod $(basename "$k")" insmod "$k"
	done
	wait_for "$SYS/state" 10 || fail "$SYS never appeared"
	pk init-labels -r pkern0 >/dev/null || exit 1
	pk create-namespace -r pkern0 -n vm0 -s 64M -t guest -a 4K >/dev/null || exit 1
	dev=$(ns_dev vm0) || exit 1
	must "fill vm0" "$VMM" fill "$dev" 7 "$STATE/layout.vm0"
	# the VMM maps the page (a dax page memory_failure() can handle)
	got=$("$POISON" "$dev" $OFF touch) || fail "dax_poison failed"
	[ "$got" = "no signal" ] || fail "touch of a healthy page got '$got'"
	phys=$(($(cat "$SYS/phys_addr") + $(ns_field vm0 offset) + OFF))
	inject_mce "$phys"
	for _ in $(seq 100); do
		[ "$(bad_count)" = 1 ] && break
		sleep 0.1
	done
	dmesg | grep -iE 'mce|machine check|memory failure' | tail -n 8 >>"$OUT/log"
	[ "$(bad_count)" = 1 ] ||
		fail "the machine check at $(printf '%#x' "$phys") was not recorded; dmesg: $(dmesg | grep -iE 'mce|memory failure' | tail -n 1)"
	[ "$(cat "$SYS/badblocks")" = "$(($(ns_field vm0 offset) + OFF)) 4096" ] ||
		fail "badblocks shows '$(cat "$SYS/badblocks")'"
	dmesg | grep -q "Memory failure: $(printf '%#x' $((phys >> 12)))" ||
		fail "no 'Memory failure' line for pfn $(printf '%#x' $((phys >> 12)))"
	got=$("$POISON" "$dev" $OFF where) || fail "dax_poison failed"
	want="sigbus BUS_MCEERR_AR at $(printf '%#x' $OFF) lsb 12"
	[ "$got" = "$want" ] || fail "touch after the machine check got '$got', expected '$want'"
	no_splat
	pass
	;;
esac
