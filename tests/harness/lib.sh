# SPDX-License-Identifier: GPL-2.0-only
#
# Helpers for the scenarios (tests/SUITE/scenarios/*.sh), sourced inside
# the guest.
# guest.sh exports VM_SCENARIO, VM_PHASE (0 on the cold boot, +1 per
# kexec), VM_TOP (repo), VM_B (build dir), VM_OUT (results dir shared
# with the host; it persists across kexec, so phases pass state there)
# and VM_INITRD.
#
# A phase ends by returning; it continues the scenario in a new kernel by
# calling kexec_next first, and ends it with pass, fail or skip.
# shellcheck shell=bash

set -u
# shellcheck source=tests/harness/splat.sh
. "$VM_TOP/tests/harness/splat.sh"
# shellcheck source=tests/harness/cmdline.sh
. "$VM_TOP/tests/harness/cmdline.sh"
PH=$VM_PHASE
OUT=$VM_OUT
STATE=$OUT/state
VMM=$VM_B/vm/vmmtouch
PKDAXCTL=$VM_B/pkdaxctl
KO=$VM_B/module/dax_pkern.ko
mkdir -p "$STATE"

log() {
	echo "pkern-vm[$VM_SCENARIO/$PH] $*" | tee -a "$OUT/log"
}

# narrate: a line for `make demo` (the host prints "pkern-demo:" lines)
narrate() {
	echo "pkern-demo: $*" | tee -a "$OUT/log"
}

fail() {
	echo "FAIL $VM_SCENARIO: $*" >>"$OUT/result"
	log "FAIL: $*"
	exit 1
}

pass() {
	echo "PASS $VM_SCENARIO" >>"$OUT/result"
	log "PASS"
}

# skip REASON: end the scenario as SKIP (run.sh exits 77) when this guest
# lacks something the scenario needs and no build or 'make deps' provides
skip() {
	echo "SKIP $VM_SCENARIO: $*" >>"$OUT/result"
	log "SKIP: $*"
	exit 0
}

# must DESC CMD...: run CMD, show its output, fail the scenario with its
# last output line if it exits non-zero
must() {
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	[ -n "$out" ] && printf '%s\n' "$out" | tee -a "$OUT/log"
	[ $rc -eq 0 ] || fail "$desc: '$*' exited $rc: $(printf '%s' "$out" | tail -n 1)"
}

# must_fail DESC CMD...: CMD must exit non-zero; its output is returned in
# MUST_OUT and its status in MUST_RC
must_fail() {
	local desc=$1
	shift
	MUST_OUT=$("$@" 2>&1)
	MUST_RC=$?
	[ -n "$MUST_OUT" ] && printf '%s\n' "$MUST_OUT" | tee -a "$OUT/log"
	[ $MUST_RC -ne 0 ] || fail "$desc: '$*' succeeded but must fail"
}

# save KEY VALUE / get KEY: state that survives kexec
save() { printf '%s\n' "$2" >"$STATE/$1"; }
get() { cat "$STATE/$1" 2>/dev/null; }

# Guest TSC: it keeps counting across kexec (no CPU reset), unlike every
# kernel clock, so it times kexec -e -> ready on the guest's own clock.
# The rate is the kernel's calibration (TCG's TSC is the host's).
tsc_khz() {
	local mhz
	mhz=$(dmesg | sed -n 's/.*tsc: Refined TSC clocksource calibration: \([0-9.]*\) MHz.*/\1/p' | tail -n 1)
	[ -n "$mhz" ] || mhz=$(dmesg | sed -n 's/.*tsc: Detected \([0-9.]*\) MHz.*/\1/p' | tail -n 1)
	[ -n "$mhz" ] || return 1
	printf '%.0f\n' "$(echo "$mhz * 1000" | bc -l 2>/dev/null || awk "BEGIN{print $mhz*1000}")"
}

# tsc_ms FROM_FILE [TO_FILE]: ms between two TSC stamps (TO: now)
tsc_ms() {
	local t0 t1 khz
	read -r t0 _ <"$1" || return 1
	if [ $# -gt 1 ]; then read -r t1 _ <"$2" || return 1; else read -r t1 _ < <("$VMM" clock); fi
	khz=$(tsc_khz) || return 1
	echo $(((t1 - t0) / khz))
}

# ms since this phase's kexec -e (empty on the cold boot)
since_kexec_ms() {
	local f=$OUT/kexec.$((PH - 1)).tsc
	[ "$PH" -gt 0 ] && [ -f "$f" ] && tsc_ms "$f"
}

# boot_ms: kexec -e -> this boot's userland (guest.sh start), guest TSC
boot_ms() {
	tsc_ms "$OUT/kexec.$((PH - 1)).tsc" "$OUT/userland.$PH.tsc"
}

# ready_report WHAT: log and save kexec -e -> WHAT ready, split into the
# kernel boot (kexec purgatory, decompression, boot, 9p root) and the
# rest.  kexec -e is stamped by init after the harness's own teardown
# (killing leftovers, unmounting 9p: HANDOFF_MS, reported apart).
ready_report() {
	READY_MS=$(since_kexec_ms)
	[ -n "$READY_MS" ] || return 0
	BOOT_MS=$(boot_ms)
	HANDOFF_MS=$(tsc_ms "$OUT/handoff.$((PH - 1)).tsc" "$OUT/kexec.$((PH - 1)).tsc")
	log "kexec -e -> $1 ready: $READY_MS ms (boot to userland $BOOT_MS ms, then $((READY_MS - BOOT_MS)) ms; guest TSC; harness teardown before kexec -e $HANDOFF_MS ms not included)"
	echo "$PH $READY_MS $BOOT_MS $HANDOFF_MS" >>"$OUT/ready-ms"
}

# kexec_load KERNEL [KEY=VALUE...]: load KERNEL + the initramfs for phase
# PH+1 with this command line, KEY= words replaced (next_cmdline)
kexec_load() {
	local kernel=$1
	shift
	must "kexec load" kexec -s -l "$kernel" --initrd="$VM_INITRD" \
		--append="$(next_cmdline $((PH + 1)) "$@")"
}

# kexec_next [KEY=VALUE...]: load this kernel for phase PH+1, same
# command line except the phase and the KEY= words given (memmap=...);
# guest.sh runs kexec -e after this phase returns
# shellcheck disable=SC2120	# most scenarios replace no word
kexec_next() {
	kexec_load "/boot/vmlinuz-$(uname -r)" "$@"
	touch "$OUT/.kexec"
}

# wait_for PATH [SECONDS]: poll for a file to appear
wait_for() {
	local _
	for _ in $(seq $((${2:-10} * 10))); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# hmp CMD: run CMD on the outer QEMU's human monitor (the scenario's
# header has hmp=on; run.sh serves the request); its output on stdout
hmp() {
	rm -f "$OUT/hmp.reply"
	printf '%s\n' "$1" >"$OUT/hmp.request"
	wait_for "$OUT/hmp.reply" 30 ||
		fail "no monitor reply to '$1' (is hmp=on in the scenario header?)"
	cat "$OUT/hmp.reply"
}

# load_pkern: load dax_pkern.ko from the build tree onto the legacy pmem
# range; nd_e820 must not be loaded.  Sets READY_MS (kexec -e -> pkern0
# state readable, guest TSC) on phases after a kexec.
load_pkern() {
	[ -f "$KO" ] || fail "$KO not built (the driver; run make)"
	must "modprobe dax core" modprobe -a dax device_dax
	must "insmod dax_pkern" insmod "$KO"
	wait_for /sys/class/pkern/pkern0/state 10 ||
		fail "dax_pkern loaded but /sys/class/pkern/pkern0 never appeared; dmesg: $(dmesg | grep -i pkern | tail -n 1)"
	ready_report pkern0
	log "$(dmesg | grep -E 'pkern[0-9]+: ' | tail -n 1)"
}

pkern_state() { cat /sys/class/pkern/pkern0/state; }

# pk ARGS: pkdaxctl, failing the scenario on error; output on stdout
pk() {
	local out rc
	[ -x "$PKDAXCTL" ] || fail "$PKDAXCTL not built (run make)"
	out=$("$PKDAXCTL" "$@" 2>"$OUT/pk.err")
	rc=$?
	cat "$OUT/pk.err" >>"$OUT/log"
	printf '%s\n' "$out" >>"$OUT/log"
	[ $rc -eq 0 ] || fail "pkdaxctl $*: exit $rc: $(tail -n 1 "$OUT/pk.err")"
	printf '%s\n' "$out"
}

# ns_field NAME KEY: a namespace's KEY from 'pkdaxctl list -N -D' (empty
# when the namespace or the key is absent)
ns_field() {
	pk list -N -D | jq -r --arg n "$1" --arg k "$2" \
		'first(.. | objects | select(.name? == $n) | .[$k] // empty)'
}

# ns_dev NAME: /dev/daxN.M of a guest namespace
ns_dev() {
	local d
	d=$(ns_field "$1" chardev)
	[ -n "$d" ] || fail "namespace $1 has no dax device in 'pkdaxctl list -N -D'"
	echo "/dev/${d#/dev/}"
}

# dax_snapshot FILE: stock daxctl's view, key-sorted for comparison
dax_snapshot() {
	daxctl list -R -D 2>>"$OUT/log" | jq -S . >"$1" ||
		fail "daxctl list -R -D failed"
}

# no_splat: this boot's kernel log so far has no warning or oops
no_splat() {
	local s
	s=$(dmesg | splat_first)
	[ -z "$s" ] || fail "kernel splat: $s"
}

# stock_up: the stock legacy-pmem stack (nd_e820 + nd_pmem), raw /dev/pmem0:
# an independent reader/writer of the region's bytes while pkern is not
# loaded.  Scenarios kexec after using it rather than unloading it, so
# the next kernel finds the range as a fresh boot would.
stock_up() {
	must "load stock pmem drivers" modprobe -a nd_pmem nd_e820
	wait_for /dev/pmem0 10 || fail "stock /dev/pmem0 did not appear"
}

# raw_sha OFFSET LEN: sha256 of region bytes through /dev/pmem0 (MiB units)
raw_sha() {
	dd if=/dev/pmem0 bs=1M skip=$(($1 >> 20)) count=$(($2 >> 20)) 2>/dev/null |
		sha256sum | cut -d' ' -f1
}

# raw_poke OFFSET HEXBYTES: write bytes into the region via /dev/pmem0
raw_poke() {
	local hex=$2 esc=
	while [ -n "$hex" ]; do
		esc="$esc\\x${hex:0:2}"
		hex=${hex:2}
	done
	printf '%b' "$esc" |
		dd of=/dev/pmem0 bs=1 seek=$(($1)) conv=notrunc,fsync 2>/dev/null ||
		fail "write at $1 of /dev/pmem0 failed"
}

# libpmem_check DEV: stock libpmem (pmem_map_file) as an outside client.
# Debian 12's libpmem 1.12.1 calls ndctl_namespace_get_dax(NULL) for a
# device-dax that is not on a libnvdimm namespace and dies of SIGSEGV;
# that is logged as a known libpmem limitation, anything else fails.
libpmem_check() {
	local out rc
	out=$("$VMM" pmemcheck "$1" 2>&1)
	rc=$?
	[ -n "$out" ] && log "$out"
	case $rc in
	0) ;;
	139) log "KNOWN: libpmem pmem_map_file crashes on non-nvdimm device-dax $1 (libpmem 1.12.1 bug, not pkern)" ;;
	*) fail "libpmem pmem_map_file on $1 failed: $out" ;;
	esac
}
