#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Run one scenario in a QEMU/TCG guest booting Debian's 6.12 kernel (or
# the patched test kernel), through all of its kexec phases.
#
#   run.sh [-f PATTERN] SUITE/SCENARIO     tests/SUITE/scenarios/SCENARIO.sh
#   run.sh [-f PATTERN] PATH/TO/FILE.sh    a scenario file from elsewhere
#
# -f prints the guest's console lines matching PATTERN as they arrive
# (make demo uses it for the narration).  Prints one line and exits:
#   PASS <scenario> (N s)       0
#   SKIP <scenario>: <reason>   77  a prerequisite 'make deps' cannot
#                                   provide (host RAM below the header's
#                                   mem=, or the guest called skip)
#   FAIL <scenario>: <reason>   1   everything else, including a missing
#                                   qemu, kernel image or build product
#
# The scenario's "# vm:" header sets mem=, memmap=, smp=, timeout=
# (seconds, whole run), boot_timeout= (seconds), cpu=, kernel=patched
# (boot build/kernel/obj's bzImage), iommu=edu2 (intel-iommu + two edu
# devices), vtd=PROPS (intel-iommu properties instead of intremap=off,
# e.g. x-scalable-mode=on,aw-bits=48,intremap=on) and qemu=10 (the outer
# QEMU is QEMU 10, scripts/install-qemu.sh, for what 7.2's intel-iommu
# lacks, such as first-stage tables), hmp=on (an HMP monitor the guest
# drives through its results dir: lib.sh's hmp; the machine-check
# path's mce command).  Environment: KVER (guest kernel version), B (build dir),
# VM_BOOT_TIMEOUT (seconds from a kernel start to the init's marker; past
# it the boot counts as an early death and the run is retried once),
# VM_OUT (results dir, default $B/vm/out/SCENARIO), VM_CPU (QEMU -cpu
# model, default the header's cpu= or the one below), VM_ACCEL (QEMU
# -accel, default the one below).
set -u

HARNESS=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HARNESS/../.." && pwd)
B=${B:-$TOP/build}
# shellcheck source=tests/harness/splat.sh
. "$HARNESS/splat.sh"

QPID=

# result LINE: print the run's one line and exit with its status
result() {
	echo "$1"
	case $1 in
	PASS*) exit 0 ;;
	SKIP*) exit 77 ;;
	*) exit 1 ;;
	esac
}

# scenario_file ARG: sets NAME (SUITE/SCENARIO or the file's name) and
# SCEN (its file) from a SUITE/SCENARIO name or a path
scenario_file() {
	local arg=$1 dir
	case $arg in
	*.sh)
		dir=$(cd "$(dirname "$arg")" 2>/dev/null && pwd) ||
			result "FAIL $arg: no such scenario file"
		SCEN=$dir/$(basename "$arg")
		case $SCEN in
		"$TOP"/tests/*/scenarios/*.sh)
			NAME=${SCEN#"$TOP"/tests/}
			NAME=${NAME%%/*}/$(basename "$SCEN" .sh)
			;;
		*) NAME=$(basename "$SCEN" .sh) ;;
		esac
		;;
	*/*)
		NAME=$arg
		SCEN=$TOP/tests/${arg%%/*}/scenarios/${arg#*/}.sh
		;;
	*) result "FAIL $arg: name a scenario as SUITE/SCENARIO or by its file" ;;
	esac
	[ -f "$SCEN" ] || result "FAIL $NAME: no scenario $SCEN"
}

# mib SIZE: a QEMU -m size (1024M, 3G) in MiB
mib() {
	case $1 in
	*G) echo $((${1%G} * 1024)) ;;
	*M) echo "${1%M}" ;;
	*) echo "$1" ;;
	esac
}

# read_header: the VM's parameters from the scenario's "# vm:" line
read_header() {
	local kv words
	MEM=3G MEMMAP=1G!4G SMP=1 TIMEOUT=300 KIND=stock IOMMU='' VTD=intremap=off
	HMP=''
	QEMU=qemu-system-x86_64
	BOOT_TIMEOUT=${VM_BOOT_TIMEOUT:-120}
	# TCG runs "rep stosb/movsb" one byte per iteration, and a guest with
	# ERMS/FSRM uses them for every clear_page() and memcpy(): without
	# them the kernel picks "rep stosq" and unrolled loops.  The kernel
	# booted after a nested QEMU ran went from 451 s to 42 s (liveupdate
	# scenario).
	CPU=max,-erms,-fsrm
	# A guest page that held code TCG translated stays slow to write
	# until its translations are dropped, and with QEMU's default 1 GiB
	# code buffer they never are: after nested QEMU had run, the next
	# kernel's first userland took minutes to page in.  A 128 MiB buffer
	# is flushed as it fills, and kexec -e -> ready after four nested
	# guests went from 186 s to 6.2 s (bench-liveupdate).
	ACCEL=${VM_ACCEL:-tcg,tb-size=128}
	read -ra words <<<"$(sed -n 's/^# vm: //p' "$SCEN")"
	for kv in "${words[@]}"; do
		case $kv in
		mem=*) MEM=${kv#*=} ;;
		memmap=*) MEMMAP=${kv#*=} ;;
		smp=*) SMP=${kv#*=} ;;
		timeout=*) TIMEOUT=${kv#*=} ;;
		kernel=*) KIND=${kv#*=} ;;
		iommu=*) IOMMU=${kv#*=} ;;
		vtd=*) VTD=${kv#*=} ;;
		hmp=on) HMP=y ;;
		qemu=10) QEMU=$("$TOP/scripts/install-qemu.sh" --print 2>/dev/null) ||
			result "FAIL $NAME: QEMU 10 missing; run 'make deps'" ;;
		qemu=*) result "FAIL $NAME: unknown qemu=${kv#*=} in the scenario header" ;;
		cpu=*) CPU=${kv#*=} ;;
		boot_timeout=*) BOOT_TIMEOUT=${VM_BOOT_TIMEOUT:-${kv#*=}} ;;
		esac
	done
	CPU=${VM_CPU:-$CPU}
}

# check_host: what 'make deps' and the make target provide is a FAIL
# when missing; host RAM, which neither can provide, is a SKIP
check_host() {
	local host_mib
	command -v "$QEMU" >/dev/null ||
		result "FAIL $NAME: $QEMU missing; run 'make deps'"
	host_mib=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)
	[ "$(mib "$MEM")" -le "$host_mib" ] ||
		result "SKIP $NAME: needs mem=$MEM, the host has $host_mib MiB"
}

# pick_kernel: sets KERNEL, INITRD for the header's kernel=; the patched
# kernel (make kernel) has 9p built in, so its initramfs has no modules
pick_kernel() {
	case $KIND in
	stock)
		KVER=${KVER:-$(find /boot -maxdepth 1 -name 'vmlinuz-6.12.*-amd64' 2>/dev/null |
			sed 's|.*/vmlinuz-||' | sort -V | tail -n 1)}
		KERNEL=/boot/vmlinuz-$KVER
		INITRD=$B/vm/initramfs-$KVER.cpio.gz
		[ -n "$KVER" ] || KERNEL=
		[ -r "$KERNEL" ] ||
			result "FAIL $NAME: no readable /boot/vmlinuz-6.12.*-amd64; run 'make deps' (as root)"
		[ -f "$INITRD" ] || result "FAIL $NAME: $INITRD missing; run 'make vm'"
		;;
	patched)
		KERNEL=$B/kernel/obj/arch/x86/boot/bzImage
		INITRD=$B/vm/initramfs-builtin9p.cpio.gz
		[ -r "$KERNEL" ] || result "FAIL $NAME: $KERNEL not built; run 'make kernel kernel-modules'"
		if [ ! -f "$INITRD" ] || [ "$HARNESS/init" -nt "$INITRD" ] ||
		   [ "$HARNESS/mkinitramfs.sh" -nt "$INITRD" ]; then
			sh "$HARNESS/mkinitramfs.sh" builtin "$INITRD" "$B/vm/tsc" ||
				result "FAIL $NAME: building $INITRD failed"
		fi
		;;
	*) result "FAIL $NAME: unknown kernel=$KIND in the scenario header" ;;
	esac
}

# pick_devices: sets DEVS (QEMU arguments), EXTRA (kernel command
# line) and CFG_TRACE (log PCI config writes) for the header's iommu=;
# edu2 is VT-d without interrupt remapping and two edu DMA devices;
# edu-rp one edu behind a PCIe root port, so that the bridge and bus
# reset paths run, with every config write the guest makes logged to
# $OUT/l0-pci-cfg.log: the scenario counts from it what cleared bus
# mastering or reset the device, as the device itself saw it
pick_devices() {
	DEVS=() EXTRA='' CFG_TRACE=''
	case $IOMMU in
	"") ;;
	edu2)
		DEVS=(-device "intel-iommu,$VTD" -device edu -device edu)
		EXTRA=" intel_iommu=on iommu=nopt" ;;
	edu-rp)
		DEVS=(-device "intel-iommu,$VTD"
		      -device "pcie-root-port,id=rp1,bus=pcie.0,chassis=1,slot=1"
		      -device "edu,bus=rp1")
		CFG_TRACE=y
		EXTRA=" intel_iommu=on iommu=nopt" ;;
	*) result "FAIL $NAME: unknown iommu=$IOMMU in the scenario header" ;;
	esac
}

# A TCG vCPU starved by host load looks like a stuck CPU to the guest:
# watchdog_thresh=60 (soft lockup after 120 s) and a 120 s RCU stall
# timeout keep those false alarms out of the splat scan, while real
# lockups and every WARNING/BUG/Oops still fail the run.  The same
# starvation makes the boot-time check that the timer interrupt arrives
# through the (remapped) IO-APIC fail now and then, a panic:
# no_timer_check skips it, as virtual machines' kernels commonly do.
cmdline() {
	echo "console=ttyS0 panic=-1 watchdog_thresh=60 rcupdate.rcu_cpu_stall_timeout=120 no_timer_check memmap=$MEMMAP pkern.scenario=$NAME pkern.script=$SCEN pkern.phase=0 pkern.top=$TOP pkern.b=$B pkern.out=$OUT pkern.initrd=$INITRD$EXTRA"
}

# follow LOG: print LOG's new complete lines matching FOLLOW (from byte
# FOLLOW_POS on) and move FOLLOW_POS past them
follow() {
	local log=$1 n
	n=$(wc -c <"$log")
	if [ "$n" -gt "$FOLLOW_POS" ]; then
		tail -c +$((FOLLOW_POS + 1)) "$log" | head -c $((n - FOLLOW_POS)) |
			tr -d '\r' | grep -aE "$FOLLOW" | sed -E "s/^.*($FOLLOW)/\1/"
		FOLLOW_POS=$n
	fi
}

stop_qemu() {
	kill "$QPID" 2>/dev/null
	wait "$QPID" 2>/dev/null
	QPID=
}

# hmp_serve: run a monitor command the guest asked for: it writes the
# command to $OUT/hmp.request, gets the monitor's output in
# $OUT/hmp.reply (renamed into place whole) and the request removed
hmp_serve() {
	local hmpc=$B/liveupdate/hmpc
	[ -f "$OUT/hmp.request" ] || return 0
	if [ -x "$hmpc" ]; then
		"$hmpc" -t 10 "$OUT/hmp.sock" "$(head -n 1 "$OUT/hmp.request")" \
			>"$OUT/hmp.reply.tmp" 2>&1
	else
		echo "hmp: $hmpc not built (make)" >"$OUT/hmp.reply.tmp"
	fi
	rm -f "$OUT/hmp.request"
	mv "$OUT/hmp.reply.tmp" "$OUT/hmp.reply"
}

# boot_once: one QEMU run; sets OUTCOME to done, timeout or early (a boot
# that printed no init marker within BOOT_TIMEOUT, or died before init
# without a panic) and BOOTNO to the boot that died early
boot_once() {
	local log=$OUT/serial.log start seen_boot=0 boot_t=0 n m trace mon
	find "$OUT" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
	: >"$log"
	FOLLOW_POS=0
	mon=none
	[ -z "$HMP" ] || mon=unix:$OUT/hmp.sock,server=on,wait=off
	trace=()
	[ -z "$CFG_TRACE" ] || trace=(-trace pci_cfg_write -D "$OUT/l0-pci-cfg.log")
	"$QEMU" -machine q35 "${DEVS[@]}" "${trace[@]}" -accel "$ACCEL" -cpu "$CPU" \
		-smp "$SMP" -m "$MEM" \
		-display none -monitor "$mon" -no-reboot -net none \
		-serial "file:$log" \
		-kernel "$KERNEL" -initrd "$INITRD" -append "$(cmdline)" \
		-virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap \
		-virtfs "local,path=$OUT,mount_tag=out,security_model=none,multidevs=remap" \
		>"$OUT/qemu.log" 2>&1 &
	QPID=$!
	start=$SECONDS
	while kill -0 "$QPID" 2>/dev/null; do
		sleep 1
		[ -z "$FOLLOW" ] || follow "$log"
		[ -z "$HMP" ] || hmp_serve
		n=$(grep -ac 'Linux version' "$log")
		m=$(grep -ac 'pkern-vm: init phase=' "$log")
		if [ "$n" -gt "$seen_boot" ]; then
			seen_boot=$n
			boot_t=$SECONDS
		fi
		if [ "$n" -gt "$m" ] && [ $((SECONDS - boot_t)) -gt "$BOOT_TIMEOUT" ]; then
			OUTCOME=early BOOTNO=$n
			stop_qemu
			return
		fi
		if [ $((SECONDS - start)) -gt "$TIMEOUT" ]; then
			OUTCOME=timeout
			stop_qemu
			return
		fi
	done
	wait "$QPID" 2>/dev/null
	QPID=
	OUTCOME="done"
	# panic=-1 reboots and -no-reboot exits: a boot that died before
	# init that way is an early death too
	n=$(grep -ac 'Linux version' "$log")
	m=$(grep -ac 'pkern-vm: init phase=' "$log")
	if [ "$n" -gt "$m" ] && ! grep -aq 'Kernel panic' "$log"; then
		OUTCOME=early BOOTNO=$n
	fi
}

last_console_line() {
	tr -d '\r' <"$OUT/serial.log" | grep -av '^$' | tail -n 1
}

# verdict ELAPSED: the run's line from the splat scan, the boot outcome
# and what the guest wrote to $OUT/result (a FAIL wins over a PASS)
verdict() {
	local elapsed=$1 splat res
	# every boot's dmesg, and the kernel lines of the serial log for a
	# boot that saved none
	splat=$(cat "$OUT"/dmesg.*.txt 2>/dev/null | splat_first)
	[ -n "$splat" ] || splat=$(tr -d '\r' <"$OUT/serial.log" |
		grep -aE '^\[ *[0-9]+\.[0-9]+\]' | splat_first)
	res=$(grep -aE "^(PASS|FAIL|SKIP) $NAME" "$OUT/result" 2>/dev/null | grep -m1 '^FAIL')
	[ -n "$res" ] || res=$(grep -aE "^SKIP $NAME" "$OUT/result" 2>/dev/null | head -n 1)
	[ -n "$res" ] || res=$(grep -aE "^PASS $NAME" "$OUT/result" 2>/dev/null | tail -n 1)

	if [ -n "$splat" ]; then
		echo "FAIL $NAME: kernel splat: $splat (see $OUT/dmesg.*.txt)"
	elif [ "$OUTCOME" = early ]; then
		echo "FAIL $NAME: boot #$BOOTNO died before init twice (see $OUT/serial.log)"
	elif [ "$OUTCOME" = timeout ]; then
		echo "FAIL $NAME: timed out after ${TIMEOUT} s; last console line: $(last_console_line)"
	elif [ -z "$res" ]; then
		echo "FAIL $NAME: guest gave no result; last console line: $(last_console_line)"
	else
		case $res in
		PASS*) echo "$res (${elapsed} s)" ;;
		*) echo "$res" ;;
		esac
	fi
}

main() {
	local t0 elapsed
	FOLLOW=
	if [ "${1:-}" = -f ]; then
		FOLLOW=$2
		shift 2
	fi
	[ $# -eq 1 ] || result "FAIL usage: run.sh [-f PATTERN] SUITE/SCENARIO|FILE.sh"
	scenario_file "$1"
	read_header
	check_host
	pick_kernel
	pick_devices

	OUT=${VM_OUT:-$B/vm/out/$NAME}
	mkdir -p "$OUT"
	OUT=$(cd "$OUT" && pwd)
	# two runs of one scenario would share a results dir: serialise them
	exec 9>"$OUT.lock"
	flock 9
	trap '[ -z "$QPID" ] || kill "$QPID" 2>/dev/null' EXIT
	trap 'exit 1' INT TERM

	t0=$SECONDS
	boot_once
	if [ "$OUTCOME" = early ]; then
		echo "RETRY $NAME: boot #$BOOTNO died before init (no marker within ${BOOT_TIMEOUT} s); rerunning once" >&2
		cp "$OUT/serial.log" "$OUT.serial.early.log" 2>/dev/null
		boot_once
	fi
	elapsed=$((SECONDS - t0))
	echo "$elapsed" >"$OUT/wall-seconds"
	result "$(verdict "$elapsed")"
}

main "$@"
