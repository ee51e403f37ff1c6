#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Run one scenario of tests/vm/scenarios/ in a QEMU/TCG guest booting
# Debian's 6.12 kernel, through all of its kexec phases.
#
#   run.sh [-f PATTERN] SCENARIO
#
# -f prints the guest's console lines matching PATTERN as they arrive
# (make demo uses it for the narration).  Prints one line
# "PASS <scenario>" or "FAIL <scenario>: <reason>" and exits 0 / 1.
#
# The scenario's "# vm:" header sets mem=, memmap=, smp=, timeout=
# (seconds, whole run), boot_timeout= (seconds), cpu=, kernel=patched (boot build/kernel/obj's bzImage)
# and iommu=edu2 (intel-iommu + two edu devices).  Environment: KVER (guest kernel version),
# B (build dir), VM_BOOT_TIMEOUT (seconds from a kernel start to the
# init's marker; past it the boot counts as an early death and the run is
# retried once), VM_OUT (results dir, default $B/vm/out/SCENARIO),
# VM_CPU (QEMU -cpu model, default the header's cpu= or CPU below),
# VM_ACCEL (QEMU -accel, default ACCEL below).
set -u

TOP=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-$TOP/build}
FOLLOW=
if [ "${1:-}" = -f ]; then
	FOLLOW=$2
	shift 2
fi
NAME=${1:?usage: run.sh [-f PATTERN] SCENARIO|FILE.sh}
# a path runs a scenario file from elsewhere (debugging, experiments)
case $NAME in
*/*) SCEN=$(cd "$(dirname "$NAME")" && pwd)/$(basename "$NAME"); NAME=$(basename "$NAME" .sh) ;;
*) SCEN=$TOP/tests/vm/scenarios/$NAME.sh ;;
esac
BOOT_TIMEOUT=${VM_BOOT_TIMEOUT:-120}
SPLAT='WARNING:|BUG:|Oops|KASAN|UBSAN|general protection fault|Call Trace|Kernel panic'

result() {
	echo "$1"
	case $1 in PASS*) exit 0 ;; *) exit 1 ;; esac
}

[ -f "$SCEN" ] || result "FAIL $NAME: no scenario $SCEN"
KVER=${KVER:-$(ls /boot/vmlinuz-6.12.*-amd64 2>/dev/null | sed 's|.*/vmlinuz-||' |
	sort -V | tail -n 1)}
KERNEL=/boot/vmlinuz-$KVER
INITRD=$B/vm/initramfs-$KVER.cpio.gz
[ -n "$KVER" ] && [ -r "$KERNEL" ] ||
	result "FAIL $NAME: no readable /boot/vmlinuz-6.12.*-amd64; run 'make deps' (as root)"
command -v qemu-system-x86_64 >/dev/null ||
	result "FAIL $NAME: qemu-system-x86_64 missing; run 'make deps'"
[ -f "$INITRD" ] || result "FAIL $NAME: $INITRD missing; run 'make check-vm'"

# Scenario parameters from its "# vm:" header line
MEM=3G MEMMAP=1G!4G SMP=1 TIMEOUT=300 KIND=stock IOMMU=
# TCG runs "rep stosb/movsb" one byte per iteration, and a guest with
# ERMS/FSRM uses them for every clear_page() and memcpy(): without them
# the kernel picks "rep stosq" and unrolled loops.  The kernel booted
# after a nested QEMU ran went from 451 s to 42 s (liveupdate scenario).
CPU=max,-erms,-fsrm
# A guest page that held code TCG translated stays slow to write until
# its translations are dropped, and with QEMU's default 1 GiB code
# buffer they never are: after nested QEMU had run, the next kernel's
# first userland took minutes to page in.  A 128 MiB buffer is flushed
# as it fills, and kexec -e -> ready after four nested guests went from
# 186 s to 6.2 s (bench-liveupdate).
ACCEL=tcg,tb-size=128
for kv in $(sed -n 's/^# vm: //p' "$SCEN"); do
	case $kv in
	mem=*) MEM=${kv#*=} ;;
	memmap=*) MEMMAP=${kv#*=} ;;
	smp=*) SMP=${kv#*=} ;;
	timeout=*) TIMEOUT=${kv#*=} ;;
	kernel=*) KIND=${kv#*=} ;;
	iommu=*) IOMMU=${kv#*=} ;;
	cpu=*) CPU=${kv#*=} ;;
	boot_timeout=*) BOOT_TIMEOUT=${VM_BOOT_TIMEOUT:-${kv#*=}} ;;
	esac
done
CPU=${VM_CPU:-$CPU}

# kernel=patched: the IOMMU series' kernel (make kernel), 9p built in,
# so its initramfs carries no modules
if [ "$KIND" = patched ]; then
	KERNEL=$B/kernel/obj/arch/x86/boot/bzImage
	INITRD=$B/vm/initramfs-builtin9p.cpio.gz
	[ -r "$KERNEL" ] || result "FAIL $NAME: $KERNEL not built; run 'make kernel kernel-modules'"
	if [ ! -f "$INITRD" ] || [ "$TOP/tests/vm/init" -nt "$INITRD" ] ||
	   [ "$TOP/tests/vm/mkinitramfs.sh" -nt "$INITRD" ]; then
		sh "$TOP/tests/vm/mkinitramfs.sh" builtin "$INITRD" "$B/vm/tsc" ||
			result "FAIL $NAME: building $INITRD failed"
	fi
fi
# iommu=edu2: VT-d (no interrupt remapping) and two edu DMA devices
DEVS=() EXTRA=
case $IOMMU in
"") ;;
edu2)
	DEVS=(-device "intel-iommu,intremap=off" -device edu -device edu)
	EXTRA=" intel_iommu=on iommu=nopt" ;;
*) result "FAIL $NAME: unknown iommu=$IOMMU in the scenario header" ;;
esac

OUT=${VM_OUT:-$B/vm/out/$NAME}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
# Two runs of one scenario would share a results dir: serialise them
exec 9>"$OUT.lock"
flock 9

# A TCG vCPU starved by host load looks like a stuck CPU to the guest:
# watchdog_thresh=60 (soft lockup after 120 s) and a 120 s RCU stall
# timeout keep those false alarms out of the splat scan, while real
# lockups and every WARNING/BUG/Oops still fail the run.
QPID=
cleanup() { [ -n "$QPID" ] && kill "$QPID" 2>/dev/null; }
trap cleanup EXIT
trap 'exit 1' INT TERM

# boot_once: one QEMU run; sets OUTCOME="done"|timeout|early
boot_once() {
	local log=$OUT/serial.log start seen_boot=0 boot_t=0 n m pos=0
	find "$OUT" -mindepth 1 -maxdepth 1 \
		-exec rm -rf {} +
	: >"$log"
	qemu-system-x86_64 -machine q35 "${DEVS[@]}" -accel "${VM_ACCEL:-$ACCEL}" -cpu "$CPU" -smp "$SMP" -m "$MEM" \
		-display none -monitor none -no-reboot -net none \
		-serial "file:$log" \
		-kernel "$KERNEL" -initrd "$INITRD" \
		-append "console=ttyS0 panic=-1 watchdog_thresh=60 rcupdate.rcu_cpu_stall_timeout=120 memmap=$MEMMAP pkern.scenario=$NAME pkern.script=$SCEN pkern.phase=0 pkern.top=$TOP pkern.b=$B pkern.out=$OUT pkern.initrd=$INITRD$EXTRA" \
		-virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap \
		-virtfs "local,path=$OUT,mount_tag=out,security_model=none,multidevs=remap" \
		>"$OUT/qemu.log" 2>&1 &
	QPID=$!
	start=$SECONDS
	while kill -0 "$QPID" 2>/dev/null; do
		sleep 1
		if [ -n "$FOLLOW" ]; then
			# print new complete lines that match
			n=$(wc -c <"$log")
			if [ "$n" -gt "$pos" ]; then
				tail -c +$((pos + 1)) "$log" | head -c $((n - pos)) |
					tr -d '\r' | grep -aE "$FOLLOW" | sed -E "s/^.*($FOLLOW)/\1/"
				pos=$n
			fi
		fi
		n=$(grep -ac 'Linux version' "$log")
		m=$(grep -ac 'pkern-vm: init phase=' "$log")
		if [ "$n" -gt "$seen_boot" ]; then
			seen_boot=$n
			boot_t=$SECONDS
		fi
		if [ "$n" -gt "$m" ] && [ $((SECONDS - boot_t)) -gt "$BOOT_TIMEOUT" ]; then
			OUTCOME=early
			BOOTNO=$n
			kill "$QPID"; wait "$QPID" 2>/dev/null; QPID=
			return
		fi
		if [ $((SECONDS - start)) -gt "$TIMEOUT" ]; then
			OUTCOME=timeout
			kill "$QPID"; wait "$QPID" 2>/dev/null; QPID=
			return
		fi
	done
	wait "$QPID" 2>/dev/null
	QPID=
	OUTCOME="done"
	# a boot that died before init without hanging (panic=-1 reboots,
	# -no-reboot exits) is an early death too
	n=$(grep -ac 'Linux version' "$log")
	m=$(grep -ac 'pkern-vm: init phase=' "$log")
	if [ "$n" -gt "$m" ] && ! grep -aq 'Kernel panic' "$log"; then
		OUTCOME=early
		BOOTNO=$n
	fi
}

T0=$SECONDS
boot_once
if [ "$OUTCOME" = early ]; then
	echo "RETRY $NAME: boot #$BOOTNO died before init (no marker within ${BOOT_TIMEOUT} s); rerunning once" >&2
	cp "$OUT/serial.log" "$OUT/../$NAME.serial.early.log" 2>/dev/null
	boot_once
fi
ELAPSED=$((SECONDS - T0))
echo "$ELAPSED" >"$OUT/wall-seconds"

# Kernel splats fail the test, whatever the scenario said
splat=$(cat "$OUT"/dmesg.*.txt 2>/dev/null |
	grep -aE "$SPLAT" | head -n 1)
[ -z "$splat" ] && splat=$(tr -d '\r' <"$OUT/serial.log" |
	grep -aE '^\[ *[0-9]+\.[0-9]+\]' | grep -aE "$SPLAT" | head -n 1)
res=$(grep -aE "^(PASS|FAIL) $NAME" "$OUT/result" 2>/dev/null | grep -m1 FAIL)
[ -z "$res" ] && res=$(grep -aE "^PASS $NAME" "$OUT/result" 2>/dev/null | tail -n 1)

if [ -n "$splat" ]; then
	result "FAIL $NAME: kernel splat: $splat (see $OUT/dmesg.*.txt)"
elif [ "$OUTCOME" = early ]; then
	result "FAIL $NAME: boot #$BOOTNO died before init twice (see $OUT/serial.log)"
elif [ "$OUTCOME" = timeout ]; then
	result "FAIL $NAME: timed out after ${TIMEOUT} s; last console line: $(tr -d '\r' <"$OUT/serial.log" | grep -av '^$' | tail -n 1)"
elif [ -z "$res" ]; then
	result "FAIL $NAME: guest gave no result; last console line: $(tr -d '\r' <"$OUT/serial.log" | grep -av '^$' | tail -n 1)"
fi
result "$res (${ELAPSED} s)"
