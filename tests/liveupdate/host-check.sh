#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Host-level check of the live-update flow, without kexec and without
# pkern: guest RAM is a shared file in /dev/shm, which outlives QEMU just
# as a pkern namespace outlives kexec.  Covers daxstash's error paths,
# a resume that must pass, and three that must be caught: a guest
# restarted from scratch, guest memory damaged while QEMU was down, and a
# damaged migration stream.  Also the baseline (RAM migrated in full).
# The flow runs twice: with the system's QEMU (7.2, the harness's outer
# QEMU) and with QEMU 10 from scripts/install-qemu.sh (the nested VMM
# for an assigned device), which also covers --keep-source and --vfio's
# refusals; no PCI device is needed.
#
#   tests/liveupdate/host-check.sh BUILD_DIR   (make check-liveupdate-host)
set -u

LU_B=$(cd "${1:?usage: $0 build/liveupdate}" && pwd)
TOP=$(cd "$(dirname "$0")/../.." && pwd)
LU="$TOP/tools/liveupdate/pkern-live-update.sh"
TMP=$(mktemp -d /dev/shm/pkern-lu-check.XXXXXX)
NAME=check$$
SHM=/dev/shm/pkern-lu-$NAME
# sanitizer builds where they exist: their errors fail the run
export DAXSTASH=$LU_B/san/daxstash HMPC=$LU_B/san/hmpc
[ -x "$DAXSTASH" ] || DAXSTASH=$LU_B/daxstash
[ -x "$HMPC" ] || HMPC=$LU_B/hmpc
export TINYGUEST=$LU_B/tinyguest.elf PKLU_DIR=$TMP/run
pass=0 fail=0

lu() { "$LU" --backend shm --name "$NAME" --reports 1 --timeout 60 "$@"; }

cleanup() {
	lu cleanup >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT

ok() { echo "PASS $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1: $2"; fail=$((fail + 1)); }

# expect_fail NAME PATTERN CMD...: CMD exits non-zero saying PATTERN
expect_fail() {
	local name=$1 pat=$2 out rc

	shift 2
	out=$("$@" 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then
		ko "$name" "succeeded, expected failure"
	elif ! grep -q -- "$pat" <<<"$out"; then
		ko "$name" "exit $rc but no '$pat' in: $out"
	else
		ok "$name"
	fi
}

poke() { printf '%b' "$2" | dd of="$1" bs=1 seek="$3" conv=notrunc status=none; }

# ---- daxstash ---------------------------------------------------------------

S=$TMP/stash
truncate -s 8M "$S"
head -c 3000000 /dev/urandom >"$TMP/blob"

expect_fail daxstash-empty "holds no stash" "$DAXSTASH" get -o 2M "$S" "$TMP/out"

if "$DAXSTASH" put -o 2M "$S" - <"$TMP/blob" 2>/dev/null &&
   "$DAXSTASH" get -o 2M "$S" "$TMP/out" && cmp -s "$TMP/blob" "$TMP/out" &&
   [ "$("$DAXSTASH" info -o 2M "$S")" = 3000000 ]; then
	ok daxstash-roundtrip
else
	ko daxstash-roundtrip "blob did not come back intact"
fi

# a second stash in front of the first must not disturb it
if printf 'meta\n' | "$DAXSTASH" put -l 2M "$S" - 2>/dev/null &&
   [ "$("$DAXSTASH" get -l 2M "$S" -)" = meta ] &&
   "$DAXSTASH" get -o 2M "$S" - | cmp -s "$TMP/blob" -; then
	ok daxstash-two-stashes
else
	ko daxstash-two-stashes "metadata stash and data stash interfere"
fi

cp "$S" "$TMP/good"
poke "$S" '\001' $((2 * 1048576 + 4096 + 12345))
expect_fail daxstash-bad-data "CRC mismatch" "$DAXSTASH" get -o 2M "$S" "$TMP/out"

cp "$TMP/good" "$S"
poke "$S" '\377\377\377\377' $((2 * 1048576 + 16))
expect_fail daxstash-bad-header "header is corrupt" "$DAXSTASH" get -o 2M "$S" -

cp "$TMP/good" "$S"
head -c 7000000 /dev/zero >"$TMP/big"
expect_fail daxstash-too-big "larger than" "$DAXSTASH" put -o 2M "$S" "$TMP/big"
expect_fail daxstash-torn-put "holds no stash" "$DAXSTASH" info -o 2M "$S"

expect_fail daxstash-offset "multiple of" "$DAXSTASH" get -o 1000 "$S" -
expect_fail daxstash-suffix "bad offset" "$DAXSTASH" get -o 2X "$S" -
expect_fail daxstash-no-dev "cannot open" "$DAXSTASH" info "$TMP/nonexistent"

if command -v valgrind >/dev/null; then
	cp "$TMP/good" "$S"
	if valgrind -q --error-exitcode=9 --leak-check=full \
		"$LU_B/daxstash" put -o 2M "$S" "$TMP/blob" 2>/dev/null &&
	   valgrind -q --error-exitcode=9 --leak-check=full \
		"$LU_B/daxstash" get -o 2M "$S" "$TMP/out" &&
	   cmp -s "$TMP/blob" "$TMP/out"; then
		ok daxstash-valgrind
	else
		ko daxstash-valgrind "valgrind reported errors or data differs"
	fi
fi

start=$(date +%s)
expect_fail hmpc-no-monitor "cannot reach" "$HMPC" -t 0.3 "$TMP/none.sock" 'info status'
[ $(($(date +%s) - start)) -lt 5 ] || ko hmpc-timeout "took longer than its -t"

# ---- the flow ---------------------------------------------------------------

# flow VERSION: resume and the three detections with $QEMU
flow() {
	local v=$1 out bytes

	# shared RAM: only device state goes into the stream
	if lu --mem 16 start && out=$(lu save) && echo "$out" &&
	   bytes=$(sed -n 's/.*state \([0-9]*\) bytes.*/\1/p' <<<"$out") &&
	   [ "$bytes" -gt 0 ] && [ "$bytes" -lt $((4 * 1048576)) ] &&
	   lu restore && lu verify; then
		ok "resume-shared[$v]"
	else
		ko "resume-shared[$v]" "guest did not resume (or RAM went into the stream: ${bytes:-?} bytes)"
	fi
	lu stop >/dev/null

	# a fresh boot on the same RAM is not a resume
	lu --mem 16 start >/dev/null
	expect_fail "detect-restart[$v]" "restarted from scratch" lu verify

	# RAM damaged while no QEMU ran is caught by the guest's checksum
	lu save >/dev/null
	poke "$SHM" '\125\125\125\125' $((5 * 1048576))
	lu restore >/dev/null
	expect_fail "detect-memory-damage[$v]" "memory changed" lu verify
	lu stop >/dev/null

	# a damaged stream is refused before the guest runs
	lu --mem 16 start >/dev/null && lu save >/dev/null
	poke "$SHM-state" '\001' $((2 * 1048576 + 4096 + 1000))
	expect_fail "detect-stream-damage[$v]" "CRC mismatch" lu restore
	lu stop >/dev/null

	# baseline: RAM in anonymous memory, all of it in the stream
	if lu --baseline --mem 16 start && out=$(lu save) && echo "$out" &&
	   bytes=$(sed -n 's/.*state \([0-9]*\) bytes.*/\1/p' <<<"$out") &&
	   [ "$bytes" -gt $((12 * 1048576)) ] &&
	   lu restore && lu verify; then
		ok "resume-baseline[$v]"
	else
		ko "resume-baseline[$v]" "guest did not resume or RAM was not migrated (${bytes:-?} bytes)"
	fi
	lu stop >/dev/null
}

# gone PID: exited (a daemonized QEMU may stay a zombie a while)
gone() {
	local st

	st=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) || return 0
	[ "$st" = Z ]
}

# keep_source VERSION: save leaves the source paused and alive, as it
# must for an assigned device; without a kexec, restore quits it first
keep_source() {
	local v=$1 out pid

	if lu --mem 16 start && out=$(lu --keep-source save) && echo "$out" &&
	   pid=$(sed -n 's/.*source QEMU pid \([0-9]*\) kept paused.*/\1/p' <<<"$out") &&
	   [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null &&
	   grep -q 'kept source: VM status: paused' <<<"$out" &&
	   out=$(lu restore) && echo "$out" && grep -q "pid $pid still ran" <<<"$out" &&
	   gone "$pid" && lu verify; then
		ok "resume-keep-source[$v]"
	else
		ko "resume-keep-source[$v]" "source not kept paused, not quit by restore, or no resume"
	fi
	lu stop >/dev/null
}

ver() { "$1" --version 2>/dev/null | sed -n '1s/^QEMU emulator version \([0-9]*\.[0-9]*\).*/\1/p'; }

export QEMU=qemu-system-x86_64
v=$(ver "$QEMU")
if [ -n "$v" ]; then
	flow "$v"
else
	ko qemu-system "$QEMU does not run"
fi

if ! QEMU=$("$TOP/scripts/install-qemu.sh" --print 2>&1); then
	ko qemu10 "$QEMU"
else
	v=$(ver "$QEMU")
	flow "$v"
	keep_source "$v"

	# --vfio: QEMU 10 at least, and a device on a vfio driver
	QEMU=qemu-system-x86_64 expect_fail vfio-needs-qemu10 "needs QEMU 10" \
		lu --mem 16 --vfio 0000:00:00.0 start
	expect_fail vfio-no-device "no such PCI device" lu --mem 16 --vfio ffff:ff:1f.7 start
	lu cleanup >/dev/null 2>&1

	# A device that stops working across the update is caught: QEMU's
	# emulated edu has no migration state, so the new QEMU's is a blank
	# device whose BAR the guest no longer reaches.  Only a guest that
	# drives edu (it reports dma=...) shows it.
	printf '#!/bin/sh\nexec %s "$@" -device edu\n' "$QEMU" >"$TMP/qemu-edu"
	chmod +x "$TMP/qemu-edu"
	QEMU=$TMP/qemu-edu
	if lu --mem 16 start >"$TMP/edu.log" && grep -q ' dma=[0-9]' "$TMP/edu.log"; then
		lu save >/dev/null && lu restore >/dev/null
		expect_fail "detect-device-loss[$v]" "FAIL verify: .*\(DMA\|device\)" lu verify
	else
		echo "SKIP detect-device-loss[$v]: the guest does not drive edu"
	fi
	lu cleanup >/dev/null 2>&1
fi

echo "check-liveupdate-host: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
