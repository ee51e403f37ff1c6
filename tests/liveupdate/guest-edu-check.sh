#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Host-level check of the tiny guest's edu driver and blackout mailbox
# (tools/liveupdate/tinyguest.c), on QEMU's emulated edu: the guest's own
# DMA rounds succeed and the liveness register holds what it wrote; bsrc
# copied into mailbox slots while QEMU is stopped is counted on `cont`,
# and a copy off by one byte is not; without edu the report line is the
# old three-field one.  The copies go straight into the guest's RAM file,
# standing in for the device DMA the real test does during the blackout.
#
#   tests/liveupdate/guest-edu-check.sh BUILD_DIR   (make check-liveupdate-host)
#
# QEMU=BINARY picks another QEMU, QEMU_FLAGS adds arguments to it, e.g.
#   QEMU=/opt/q/usr/bin/qemu-system-x86_64 \
#   QEMU_FLAGS="-L /opt/q/usr/share/qemu -L /opt/q/usr/share/seabios"
set -u

LU_B=$(cd "${1:?usage: $0 build/liveupdate}" && pwd)
QEMU=${QEMU:-qemu-system-x86_64}
read -ra QEMU_EXTRA <<<"${QEMU_FLAGS:-}"
HMPC=${HMPC:-$LU_B/san/hmpc}
[ -x "$HMPC" ] || HMPC=$LU_B/hmpc
GUEST=$LU_B/tinyguest.elf
TMP=$(mktemp -d /dev/shm/pkern-edu-check.XXXXXX)
RAM=$TMP/ram
TIMEOUT=60
pass=0 fail=0

# The guest's fixed guest-physical addresses; on pc with less than 3.5 GiB
# of RAM, guest-physical address = offset in the RAM file.
BSRC=$((0x1c0000)) SLOT0=$((0x1c1000)) SLOT_STRIDE=4096 MBOX_BYTES=2048

OLD_RE='^id=[0-9a-f]{8} count=[0-9]+ sum=[0-9a-f]{8}$'
EDU_RE='^id=[0-9a-f]{8} count=[0-9]+ sum=[0-9a-f]{8} dma=[0-9]+ bad=[0-9]+ stuck=[0-9]+ live=(ok|BAD) landed=[0-9]+$'

ok() { echo "PASS $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1: $2"; fail=$((fail + 1)); }

hmp() { "$HMPC" -t 10 "$TMP/monitor.sock" "$@"; }

# launch [QEMU args]: daemonized guest, RAM shared with $RAM
launch() {
	rm -f "$TMP/monitor.sock" "$TMP/console.log" "$RAM"
	"$QEMU" "${QEMU_EXTRA[@]}" -machine pc,memory-backend=mem \
		-accel tcg,tb-size=16 -m 64M \
		-object "memory-backend-file,id=mem,mem-path=$RAM,share=on,size=64M" \
		-kernel "$GUEST" -nodefaults -display none \
		-chardev "file,id=dbg,path=$TMP/console.log" \
		-device isa-debugcon,iobase=0xe9,chardev=dbg \
		-monitor "unix:$TMP/monitor.sock,server=on,wait=off" \
		-daemonize -pidfile "$TMP/qemu.pid" "$@"
}

running() {
	local p

	p=$(cat "$TMP/qemu.pid" 2>/dev/null) && [ -n "$p" ] && [ -e "/proc/$p" ] &&
		[ "$(cut -d' ' -f3 "/proc/$p/stat" 2>/dev/null)" != Z ]
}

quit_qemu() {
	local p

	p=$(cat "$TMP/qemu.pid" 2>/dev/null) || return 0
	hmp quit >/dev/null 2>&1
	for _ in $(seq 1 300); do
		running || break
		sleep 0.01
	done
	running && kill "$p" 2>/dev/null
	rm -f "$TMP/qemu.pid"
}

cleanup() {
	quit_qemu
	rm -rf "$TMP"
}
trap cleanup EXIT

lines() { grep -E "$1" "$TMP/console.log" 2>/dev/null; }

# wait_lines RE N: until the console holds N reports matching RE
wait_lines() {
	local end=$(($(date +%s) + TIMEOUT))

	while [ "$(lines "$1" | wc -l)" -lt "$2" ]; do
		running || { echo "QEMU exited" >&2; return 1; }
		[ "$(date +%s)" -lt "$end" ] || { echo "timed out" >&2; return 1; }
		sleep 0.05
	done
}

# report N: the Nth report in the edu format
report() { lines "$EDU_RE" | sed -n "$1p"; }

# field LINE KEY: KEY's value in a report line
field() { tr ' ' '\n' <<<"$1" | sed -n "s/^$2=//p"; }

# healthy LINE ID SUM LANDED: the edu fields say all is well
healthy() {
	[ "$(field "$1" id)" = "$2" ] && [ "$(field "$1" sum)" = "$3" ] &&
		[ "$(field "$1" bad)" = 0 ] && [ "$(field "$1" stuck)" = 0 ] &&
		[ "$(field "$1" live)" = ok ] && [ "$(field "$1" landed)" = "$4" ]
}

slot() { echo $((SLOT0 + $1 * SLOT_STRIDE)); }

copy_bsrc() {
	dd if="$RAM" of="$RAM" bs=$MBOX_BYTES skip=$((BSRC / MBOX_BYTES)) \
		seek=$(($(slot "$1") / MBOX_BYTES)) count=1 conv=notrunc status=none
}

# flip OFFSET: invert one byte of guest RAM
flip() {
	local b

	b=$(od -An -tu1 -j "$1" -N1 "$RAM" | tr -d ' ')
	# shellcheck disable=SC2059 # the format is the octal escape itself
	printf "\\$(printf %03o $((b ^ 255)))" |
		dd of="$RAM" bs=1 seek="$1" conv=notrunc status=none
}

# while_stopped CMD...: run CMD with the guest stopped, then wait for two
# reports made wholly after `cont` (one may have been under way at stop)
while_stopped() {
	local n

	hmp stop >/dev/null || return 1
	"$@"
	n=$(lines "$EDU_RE" | wc -l)
	hmp cont >/dev/null || return 1
	wait_lines "$EDU_RE" $((n + 2))
}

echo "guest-edu-check: $("$QEMU" "${QEMU_EXTRA[@]}" --version | head -n 1)"

# ---- without edu: the old line ----------------------------------------------

if launch && wait_lines "$OLD_RE" 2 &&
   [ "$(grep -c . "$TMP/console.log")" = "$(lines "$OLD_RE" | wc -l)" ]; then
	ok no-edu-line
else
	ko no-edu-line "no reports, or not all in the old format: $(head -n 3 "$TMP/console.log" 2>/dev/null)"
fi
quit_qemu

# ---- with edu -----------------------------------------------------------------

launch -device edu && wait_lines "$EDU_RE" 4
first=$(report 1) fourth=$(report 4)
id=$(field "$first" id) sum=$(field "$first" sum)
if [ -n "$fourth" ] && healthy "$first" "$id" "$sum" 0 &&
   healthy "$fourth" "$id" "$sum" 0 &&
   [ "$(field "$fourth" dma)" -gt "$(field "$first" dma)" ]; then
	ok edu-dma-rounds
else
	ko edu-dma-rounds "reports 1 and 4: '$first' / '$fourth'"
fi

# The liveness register read from outside: the guest wrote ~id into it.
# One word per xp: edu answers only 4-byte reads below 0x80.
bar=$(hmp 'info pci' | sed -n '/1234:11e8/,/BAR0/s/.*BAR0: 32 bit memory at \(0x[0-9a-f]*\).*/\1/p')
regs=
for off in 0 4; do
	regs="$regs $(hmp "xp /1wx $((${bar:-0} + off))" | tr -d '\r' | awk 'END { print $2 }')"
done
if [ -n "$bar" ] && [ "$regs" = " 0x010000ed 0x$id" ]; then
	ok edu-liveness-register
else
	ko edu-liveness-register "BAR0 ${bar:-not found}, ident and liveness:$regs (id $id)"
fi

# Two good copies and one with its last byte wrong: two landed.
mailbox_one() {
	copy_bsrc 0
	copy_bsrc 2
	copy_bsrc 3
	flip $(($(slot 3) + MBOX_BYTES - 1))
}
before=$(lines "$EDU_RE" | tail -n 1)
if while_stopped mailbox_one && last=$(lines "$EDU_RE" | tail -n 1) &&
   healthy "$last" "$id" "$sum" 2; then
	ok mailbox-landed
else
	ko mailbox-landed "expected landed=2, got '${last:-}'"
fi

# A slot's first byte wrong: not counted; past 2 KiB nothing matters.
mailbox_two() {
	flip "$(slot 0)"
	flip $(($(slot 2) + MBOX_BYTES))
}
if while_stopped mailbox_two && last=$(lines "$EDU_RE" | tail -n 1) &&
   healthy "$last" "$id" "$sum" 1; then
	ok mailbox-byte-flip
else
	ko mailbox-byte-flip "expected landed=1, got '${last:-}'"
fi

# the DMA loop went on across both stops
if [ -n "${last:-}" ] && [ "$(field "$last" dma)" -gt "$(field "$before" dma)" ]; then
	ok edu-dma-after-stop
else
	ko edu-dma-after-stop "dma did not grow: '$before' / '${last:-}'"
fi
quit_qemu

echo "guest-edu-check: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
