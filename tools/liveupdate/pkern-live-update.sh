#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# pkern-live-update.sh - live-update a running QEMU guest across kexec.
#
# The guest's RAM lives in a pkern namespace (or, to try the flow without
# pkern, a shared file in /dev/shm), so across kexec only device state has
# to be saved: QEMU's x-ignore-shared capability leaves shared RAM out of
# the migration stream.  The stream and a few lines of metadata are kept
# in a second, small namespace ("NAME-state") through daxstash, because
# nothing else survives kexec.  --baseline keeps guest RAM in anonymous
# memory instead and migrates all of it, for comparison.
#
#   start     create/take the namespaces, boot the tiny guest
#   save      stop the guest, store its state in NAME-state, quit QEMU
#             (with --vfio or --keep-source: leave it running, paused)
#   restore   new QEMU on the same RAM, load the state, continue
#   verify    the guest resumed: same boot id and checksum, count went on
#             (with --vfio, or when the guest drives a device: and its
#             DMA through the device went on)
#   stop      quit QEMU (and a source 'save' kept); cleanup: also remove
#             the namespaces / files
#   before-kexec = start + save;  after-kexec = restore + verify + stop
#
# --vfio BDF assigns a host PCI device to the guest (vfio-pci with
# enable-migration=on, which needs QEMU 10: the script runs
# scripts/install-qemu.sh's QEMU 10 unless QEMU= names one).  Then 'save'
# keeps the paused source QEMU alive instead of quitting it: quitting
# would close its VFIO device and container, and the kernel would then
# reset the device and end its DMA domain (the IOMMU mappings of guest
# RAM), which the kexec has to carry over to the new QEMU instead.  The
# kept source ends with the old kernel; without a kexec in between,
# 'restore' quits it before starting the new QEMU, which could not open
# the device otherwise.  --keep-source does the same without a device.
# --iommufd gives QEMU the device through iommufd and its VFIO cdev
# (-object iommufd) instead of a type1 container.  Each launch takes it
# or not: a VM started on a container can be restored on iommufd.
#
# Guest RAM and the stash are named by their stable names,
# /dev/pkern/REGION/NAME, which udev makes as the devices appear (the
# driver's udev rules, installed with it): QEMU's command line is the
# same before and after kexec, and restore looks nothing up.  Without
# the rules the devices are looked up with pkdaxctl, which is slower.
#
# Every step prints its elapsed time; "save" and "restore" together are
# the blackout minus kexec itself.  The two halves of the blackout are
# also printed as key=value: save_ms (stop -> state stored) and
# restore_ms (new QEMU started -> guest running).
set -eu

TOP=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${PKLU_BINDIR:-$TOP/build/liveupdate}
DAXSTASH=${DAXSTASH:-$BIN/daxstash}
HMPC=${HMPC:-$BIN/hmpc}
TINYGUEST=${TINYGUEST:-$BIN/tinyguest.elf}
PKDAXCTL=${PKDAXCTL:-$TOP/build/pkdaxctl}
QEMU=${QEMU:-}		# default: the system's, QEMU 10 with --vfio

BACKEND=""		# pkern | shm (default: pkern if the region exists)
REGION=pkern0
NAME=luvm
MEM=""			# MiB; default 64 on start, from the metadata later
MODE=""			# shared | baseline
DIR=${PKLU_DIR:-/tmp/pkern-lu}
SHMDIR=/dev/shm
REPORTS=2		# guest reports to wait for before saving
TIMEOUT=120		# seconds for any guest-visible wait (TCG-in-TCG is slow)
TB_MIB=${PKLU_TB_MIB:-16}	# QEMU translation buffer
VFIO=""			# host PCI device (DDDD:BB:DD.F) assigned to the guest
IOMMUFD=""		# 1: QEMU opens it through iommufd, not a type1 container
KEEP_SOURCE=""		# 1: save leaves the paused source QEMU running
EXPECT_LANDED=""	# verify: at least this many mailbox slots landed
BOOT_ID=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo unknown)

META_LIMIT=2M		# stash layout: metadata in the first 2 MiB ...
STREAM_OFF=2M		# ... migration stream after it (2 MiB keeps dax alignment)
# the guest's report; the DMA fields appear when it drives an edu device
LINE_RE='^id=[0-9a-f]{8} count=[0-9]+ sum=[0-9a-f]{8}( dma=[0-9]+ bad=[0-9]+ stuck=[0-9]+ live=[A-Za-z]+ landed=[0-9]+)?$'
BDF_RE='^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$'

say() { echo "pkern-live-update: $*"; }
die() { echo "pkern-live-update: $*" >&2; exit 1; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

usage() {
	cat <<EOF
usage: $0 [options] start|save|restore|verify|stop|cleanup|before-kexec|after-kexec
  -b, --backend pkern|shm  guest RAM in a pkern namespace or a /dev/shm file
                           (default: pkern when /sys/class/pkern/REGION exists)
      --baseline           guest RAM in anonymous memory, migrated in full
  -m, --mem MIB            guest RAM size (start only; default 64)
  -n, --name NAME          namespace/file name (default luvm; state: NAME-state)
  -r, --region REGION      pkern region (default pkern0)
  -d, --dir DIR            work directory for socket, logs, pid (default $DIR)
      --reports N          guest reports to wait for before save (default 2)
      --timeout SECS       limit for every wait on the guest (default 120)
      --vfio BDF           assign host PCI device BDF (bound to a vfio-pci
                           driver) with migration; needs QEMU 10; implies
                           --keep-source; verify checks the guest's DMA
      --iommufd            with --vfio: QEMU's iommufd backend and the
                           device's VFIO cdev instead of a type1 container
      --keep-source        save leaves the paused source QEMU running
                           (until kexec, stop or restore)
      --expect-landed N    verify: the guest saw at least N mailbox slots
                           written by DMA while it was paused (--vfio)
QEMU=PATH picks the QEMU binary (default: qemu-system-x86_64, or with
--vfio the QEMU 10 of scripts/install-qemu.sh --print).
EOF
	exit 2
}

# ---- where guest RAM and the stash live --------------------------------

# The object describing namespace NAME, from pkdaxctl's JSON, whatever
# the nesting (regions -> namespaces -> dax devices).
pk_json() {
	"$PKDAXCTL" list -r "$REGION" -N -D 2>/dev/null |
		jq -c --arg n "$1" \
		'first(.. | objects | select(.name? == $n))' 2>/dev/null || true
}

pk_chardev() {
	jq -r 'first(.. | objects | .chardev? // empty)' 2>/dev/null <<<"$1" ||
		true
}

# link_of NAME: the stable name udev gives guest namespace NAME (the
# driver's 61-dax-pkern-names.rules), the same before and after kexec
link_of() { echo "/dev/pkern/$REGION/$1"; }

# dev_of NAME: the device or file for NAME, "" if it does not exist.
# The stable name needs no lookup; without it (udev rules not
# installed) pkdaxctl finds the device, which takes seconds.
dev_of() {
	local j c l

	if [ "$BACKEND" = shm ]; then
		[ -f "$SHMDIR/pkern-lu-$1" ] && echo "$SHMDIR/pkern-lu-$1"
		return 0
	fi
	l=$(link_of "$1")
	if [ -c "$l" ]; then
		echo "$l"
		return 0
	fi
	j=$(pk_json "$1")
	[ -n "$j" ] || return 0
	c=$(pk_chardev "$j")
	[ -n "$c" ] || die "namespace $1 exists but has no dax device (is dax_pkern loaded?)"
	echo "pkern-live-update: no $l (are the driver's udev rules installed? 'make install'); looked up /dev/$c with pkdaxctl" >&2
	echo "/dev/$c"
}

# settled_dev NAME CHARDEV: once udev has handled the new device, its
# stable name if udev made one, else /dev/CHARDEV
settled_dev() {
	local l

	l=$(link_of "$1")
	command -v udevadm >/dev/null && udevadm settle -t 10 2>/dev/null
	if [ -c "$l" ]; then
		echo "$l"
	else
		echo "/dev/$2"
	fi
}

# ensure NAME MIB: take NAME if it exists with that size, else create it
ensure() {
	local j out c size want=$(($2 * 1024 * 1024)) d

	if [ "$BACKEND" = shm ]; then
		truncate -s "${2}M" "$SHMDIR/pkern-lu-$1"
		echo "$SHMDIR/pkern-lu-$1"
		return
	fi
	d=$(dev_of "$1")
	if [ -n "$d" ]; then
		size=$(cat "/sys/bus/dax/devices/$(basename "$(readlink -f "$d")")/size" 2>/dev/null)
		[ "$size" = "$want" ] ||
			die "namespace $1 exists with size ${size:-unknown}, need $want: 'pkdaxctl destroy-namespace $1' or pick another --name"
		echo "$d"
		return
	fi
	out=$("$PKDAXCTL" create-namespace -r "$REGION" -n "$1" -s "${2}M" \
		-t guest -a 2M) || die "could not create namespace $1 (${2} MiB) in $REGION"
	c=$(pk_chardev "$out")
	[ -n "$c" ] || c=$(pk_chardev "$(pk_json "$1")")
	[ -n "$c" ] || die "created namespace $1 but pkdaxctl shows no dax device for it"
	settled_dev "$1" "$c"
}

remove() {
	if [ "$BACKEND" = shm ]; then
		rm -f "$SHMDIR/pkern-lu-$1"
	elif [ -n "$(pk_json "$1")" ]; then
		"$PKDAXCTL" destroy-namespace "$1" -r "$REGION" >/dev/null
	fi
}

# stash size: metadata + device state, plus all of RAM in baseline mode
stash_mib() {
	if [ "$MODE" = baseline ]; then
		echo $(((MEM + MEM / 8 + 16 + 1) / 2 * 2))
	else
		echo 16
	fi
}

# ---- QEMU ----------------------------------------------------------------

# alive PID: running and not a zombie (a daemonized QEMU is reaped by
# whoever adopted it, which may take a while)
alive() {
	local st

	st=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ]
}

# pid_of WHICH: the running QEMU WHICH ("qemu": the current one,
# "source": the one 'save' kept), nothing if none.  A pid file written
# before a kexec names some other process now: its boot id tells.
pid_of() {
	local p

	[ -f "$DIR/$1.pid" ] || return 0
	[ "$(cat "$DIR/$1.boot" 2>/dev/null)" = "$BOOT_ID" ] || return 0
	p=$(cat "$DIR/$1.pid" 2>/dev/null) || return 0
	alive "$p" && echo "$p"
	return 0
}

qemu_pid() { pid_of qemu; }

hmp() { "$HMPC" -t "$TIMEOUT" "$DIR/monitor.sock" "$@"; }

# pick_qemu: settle QEMU; with --vfio it must be QEMU 10 or newer, the
# first with vfio-pci migration that leaves a kept device alone
pick_qemu() {
	local v

	if [ -z "$QEMU" ]; then
		QEMU=qemu-system-x86_64
		if [ -n "$VFIO" ]; then
			QEMU=$("$TOP/scripts/install-qemu.sh" --print) ||
				die "--vfio needs QEMU 10: run scripts/install-qemu.sh (make deps) or set QEMU="
		fi
	fi
	[ -n "$VFIO" ] || return 0
	v=$("$QEMU" --version 2>/dev/null | head -n 1) ||
		die "cannot run QEMU '$QEMU'"
	[ "$(sed -n 's/^QEMU emulator version \([0-9]*\)\..*/\1/p' <<<"$v")" -ge 10 ] 2>/dev/null ||
		die "--vfio needs QEMU 10 or newer (vfio-pci enable-migration of a kept device); $QEMU is '${v:-unknown}'"
}

# vfio_args: the device for both launches, after checking the host has
# it on a vfio driver (QEMU's own error would name only the symptom)
vfio_args() {
	local drv

	[ -n "$VFIO" ] || return 0
	[ -e "/sys/bus/pci/devices/$VFIO" ] || die "--vfio $VFIO: no such PCI device"
	drv=$(basename "$(readlink "/sys/bus/pci/devices/$VFIO/driver" 2>/dev/null)")
	case $drv in
	*vfio*) ;;
	*) die "--vfio $VFIO: bound to '${drv:-no driver}', not a vfio-pci driver" ;;
	esac
	if [ -z "$IOMMUFD" ]; then
		echo "-device"
		echo "vfio-pci,host=$VFIO,enable-migration=on"
		return 0
	fi
	[ -c /dev/iommu ] ||
		die "--iommufd: no /dev/iommu; the kernel needs CONFIG_IOMMUFD (or leave out --iommufd for a type1 container)"
	[ -d "/sys/bus/pci/devices/$VFIO/vfio-dev" ] ||
		die "--iommufd: $VFIO has no VFIO cdev; the kernel needs CONFIG_VFIO_DEVICE_CDEV (or leave out --iommufd)"
	echo "-object"
	echo "iommufd,id=pkiommufd"
	echo "-device"
	echo "vfio-pci,host=$VFIO,iommufd=pkiommufd,enable-migration=on"
}

# hmp_ok CMD...: run monitor commands, fail on any error they print
hmp_ok() {
	local out

	out=$(hmp "$@") || die "QEMU monitor unreachable while running: $*"
	if grep -qi 'error' <<<"$out"; then
		die "QEMU refused '$*': $(grep -i -m1 error <<<"$out")"
	fi
}

# launch PHASE [extra args]: daemonized QEMU, debugcon to console-PHASE.log
launch() {
	local phase=$1 ram=$2 memobj dev

	shift 2
	[ -z "$(qemu_pid)" ] || die "QEMU is already running (pid $(qemu_pid)); '$0 stop' first"
	[ -f "$TINYGUEST" ] || die "$TINYGUEST missing: run 'make' first"
	pick_qemu
	mapfile -t dev < <(vfio_args)
	[ -z "$VFIO" ] || [ ${#dev[@]} -ge 2 ] || exit 1
	if [ "$MODE" = baseline ]; then
		memobj=memory-backend-ram,id=mem,size=${MEM}M
	else
		memobj=memory-backend-file,id=mem,mem-path=$ram,share=on,size=${MEM}M
		[ -c "$ram" ] && memobj=$memobj,align=2M
	fi
	rm -f "$DIR/monitor.sock" "$DIR/console-$phase.log"
	echo "$DIR/console-$phase.log" >"$DIR/console"
	echo "$BOOT_ID" >"$DIR/qemu.boot"
	# The tiny guest needs little JIT space; QEMU's default 1 GiB code
	# buffer only adds pages a nested (TCG-in-TCG) run has to churn.
	"$QEMU" -machine pc,memory-backend=mem -accel "tcg,tb-size=$TB_MIB" \
		-m "${MEM}M" \
		-object "$memobj" -kernel "$TINYGUEST" \
		-nodefaults -display none \
		-chardev "file,id=dbg,path=$DIR/console-$phase.log" \
		-device isa-debugcon,iobase=0xe9,chardev=dbg \
		-monitor "unix:$DIR/monitor.sock,server=on,wait=off" \
		"${dev[@]}" -daemonize -pidfile "$DIR/qemu.pid" "$@" ||
		die "QEMU failed to start ($phase)"
}

# quit_qemu [source]: quit the current QEMU, or the source 'save' kept
quit_qemu() {
	local p sock=$DIR/monitor.sock

	if [ "${1:-}" = source ]; then
		p=$(pid_of source)
		sock=$DIR/source.sock
	else
		p=$(qemu_pid)
	fi
	[ -n "$p" ] || return 0
	"$HMPC" -t "$TIMEOUT" "$sock" quit >/dev/null 2>&1 || true
	for _ in $(seq 1 500); do
		alive "$p" || return 0
		sleep 0.01
	done
	kill "$p" 2>/dev/null || true
}

# keep_source: the current QEMU becomes the kept source, out of the way
# of the next launch (the renamed socket still reaches its monitor)
keep_source() {
	mv "$DIR/qemu.pid" "$DIR/source.pid"
	mv "$DIR/qemu.boot" "$DIR/source.boot"
	mv "$DIR/monitor.sock" "$DIR/source.sock"
}

# reports: the complete guest report lines of the current console
reports() {
	local log

	log=$(cat "$DIR/console" 2>/dev/null) || return 0
	grep -E "$LINE_RE" "$log" 2>/dev/null || true
}

# wait_reports N: until the current console holds N reports
wait_reports() {
	local end=$(($(date +%s) + TIMEOUT))

	while [ "$(reports | wc -l)" -lt "$1" ]; do
		[ -n "$(qemu_pid)" ] || die "QEMU exited; see $(cat "$DIR/console")"
		[ "$(date +%s)" -lt "$end" ] ||
			die "guest printed fewer than $1 reports in ${TIMEOUT}s; see $(cat "$DIR/console")"
		sleep 0.05
	done
}

# ---- metadata kept in the stash -------------------------------------------

meta_put() { "$DAXSTASH" put -l "$META_LIMIT" "$STASH" - 2>/dev/null; }

meta_load() {
	local m

	m=$("$DAXSTASH" get -l "$META_LIMIT" "$STASH" -) ||
		die "no saved state in $STASH: run 'save' before 'restore'"
	# the stash is input like any other: take only well-formed values
	MODE_SAVED=$(sed -n 's/^mode=\(shared\|baseline\)$/\1/p' <<<"$m")
	MEM_SAVED=$(sed -n 's/^mem=\([0-9]\{1,6\}\)$/\1/p' <<<"$m")
	LAST=$(sed -n 's/^last=//p' <<<"$m" | grep -E "$LINE_RE" || true)
	SAVE_MS=$(sed -n 's/^save_ms=\([0-9]\{1,9\}\)$/\1/p' <<<"$m")
	SAVED_AT=$(sed -n 's/^saved_at=\([0-9]\{1,15\}\)$/\1/p' <<<"$m")
	STORED_MS=$(sed -n 's/^stored_ms=\([0-9]\{1,9\}\)$/\1/p' <<<"$m")
	VFIO_SAVED=$(sed -n 's/^vfio=//p' <<<"$m" | grep -E "$BDF_RE" || true)
	if [ -z "$MODE_SAVED" ] || [ -z "$MEM_SAVED" ] || [ -z "$LAST" ]; then
		die "metadata in $STASH is malformed; save again"
	fi
	[ -z "$MODE" ] || [ "$MODE" = "$MODE_SAVED" ] ||
		die "state was saved in $MODE_SAVED mode, not $MODE"
	[ -z "$MEM" ] || [ "$MEM" = "$MEM_SAVED" ] ||
		die "state was saved with --mem $MEM_SAVED, not $MEM"
	# the stream holds the device's state: the new QEMU needs the device
	[ -z "$VFIO" ] || [ "$VFIO" = "$VFIO_SAVED" ] ||
		die "state was saved with --vfio '${VFIO_SAVED:-none}', not $VFIO"
	MODE=$MODE_SAVED
	MEM=$MEM_SAVED
	VFIO=$VFIO_SAVED
	[ -z "$VFIO" ] || KEEP_SOURCE=1
}

# field NAME LINE: the value of NAME=... in a report line
field() { sed -n -E "s/^(.* )?$1=([0-9A-Za-z]+).*$/\2/p" <<<"$2"; }

# ---- commands -------------------------------------------------------------

cmd_start() {
	local t0 ram

	: "${MEM:=64}"
	: "${MODE:=shared}"
	t0=$(now_ms)
	ram=""
	[ "$MODE" = baseline ] || ram=$(ensure "$NAME" "$MEM")
	STASH=$(ensure "$NAME-state" "$(stash_mib)")
	[ -z "$(pid_of source)" ] ||
		die "the source QEMU 'save' kept (pid $(pid_of source)) still runs: '$0 stop' first"
	printf 'MODE=%s\nMEM=%s\nVFIO=%s\n' "$MODE" "$MEM" "$VFIO" >"$DIR/conf"
	launch start "$ram"
	wait_reports 1
	say "start: $MODE mode, ${MEM} MiB guest RAM ${ram:-in anonymous memory}, state in $STASH${VFIO:+, device $VFIO}; first report after $(($(now_ms) - t0)) ms"
	say "start: $(reports | tail -n 1)"
}

cmd_save() {
	local t0 t1 t2 last bytes caps="" how p dev

	STASH=$(dev_of "$NAME-state")
	[ -n "$STASH" ] || die "no $NAME-state: run 'start' first"
	[ -n "$(qemu_pid)" ] || die "QEMU is not running: run 'start' first"
	# mode and size as 'start' chose them
	: "${MODE:=$(sed -n 's/^MODE=\(shared\|baseline\)$/\1/p' "$DIR/conf")}"
	: "${MEM:=$(sed -n 's/^MEM=\([0-9]*\)$/\1/p' "$DIR/conf")}"
	if [ -z "$MODE" ] || [ -z "$MEM" ]; then
		die "$DIR/conf is missing or damaged: was this guest started by '$0 start'?"
	fi
	# the device as 'start' assigned it
	dev=$(sed -n 's/^VFIO=//p' "$DIR/conf" | grep -E "$BDF_RE" || true)
	[ -z "$VFIO" ] || [ "$VFIO" = "$dev" ] ||
		die "the guest was started with --vfio '${dev:-none}', not $VFIO"
	VFIO=$dev
	[ -z "$VFIO" ] || KEEP_SOURCE=1
	wait_reports "$REPORTS"
	t0=$(now_ms)
	hmp_ok stop
	last=$(reports | tail -n 1)
	[ "$MODE" = baseline ] || caps='migrate_set_capability x-ignore-shared on'
	# -d: plain "migrate" polls for completion only once a second
	hmp_ok ${caps:+"$caps"} \
		"migrate -d \"exec:$DAXSTASH put -o $STREAM_OFF $STASH - 2>>$DIR/daxstash.log\""
	"$HMPC" -t "$TIMEOUT" -i 5 -w 'Migration status: completed' \
		-f 'Migration status: failed' -f 'Migration status: cancelled' \
		"$DIR/monitor.sock" 'info migrate' ||
		die "migration to $STASH failed: $(tail -n 1 "$DIR/daxstash.log" 2>/dev/null)"
	t1=$(now_ms)
	if [ -n "$KEEP_SOURCE" ]; then
		# see the header: the paused source must outlive the save
		p=$(qemu_pid)
		keep_source
		t2=$(now_ms)
		how="source QEMU pid $p kept paused"
	else
		quit_qemu
		t2=$(now_ms)
		how="quit $((t2 - t1)) ms"
	fi
	bytes=$("$DAXSTASH" info -o "$STREAM_OFF" "$STASH") ||
		die "migration stream in $STASH does not read back"
	printf 'mode=%s\nmem=%s\nlast=%s\nsave_ms=%s\nstored_ms=%s\nsaved_at=%s\nbytes=%s\nvfio=%s\n' \
		"$MODE" "$MEM" "$last" $((t2 - t0)) $((t1 - t0)) "$(date +%s%3N)" \
		"$bytes" "$VFIO" |
		meta_put || die "could not write metadata to $STASH"
	say "save: $((t2 - t0)) ms (migrate $((t1 - t0)) ms, $how), state $bytes bytes in $STASH"
	say "save: last report before stop: $last"
	say "save: save_ms=$((t1 - t0)) (stop -> state stored)"
	if [ -n "$KEEP_SOURCE" ]; then
		how=$("$HMPC" -t "$TIMEOUT" "$DIR/source.sock" 'info status' |
			grep -m1 'VM status') || how="status unknown"
		[ -z "$VFIO" ] || how="$how, holding ${IOMMUFD:+the iommufd HWPT and }the VFIO device $VFIO"
		say "save: kept source: $how"
	fi
}

cmd_restore() {
	local t0 t1 t2 t3 tq tf ram="" caps="" gap="" check src out why how

	t0=$(now_ms)
	# the module is loaded at boot (the shipped udev and modprobe files),
	# before this runs
	[ "$BACKEND" != pkern ] || [ -d "/sys/class/pkern/$REGION" ] ||
		die "region $REGION is not up: dax_pkern is not loaded (its udev and modprobe files load it at boot: 'make install'), or memmap= differs from the saving kernel's"
	STASH=$(dev_of "$NAME-state")
	[ -n "$STASH" ] || die "no $NAME-state ${BACKEND} namespace: nothing was saved, or it did not survive"
	tf=$(($(now_ms) - t0))
	meta_load
	if [ "$MODE" != baseline ]; then
		tq=$(now_ms)
		ram=$(dev_of "$NAME")
		[ -n "$ram" ] || die "guest RAM namespace $NAME is gone"
		tf=$((tf + $(now_ms) - tq))
	fi
	src=$(pid_of source)
	if [ -n "$src" ]; then
		# no kexec since save: the kept source still holds the device
		tq=$(now_ms)
		quit_qemu source
		say "restore: kept source QEMU pid $src still ran (no kexec since save): quit it first, $(($(now_ms) - tq)) ms, not counted"
		t0=$((t0 + $(now_ms) - tq))
	fi
	t1=$(now_ms)
	[ -z "$SAVED_AT" ] || gap=", $(($(date +%s%3N) - SAVED_AT)) ms since save ended (wall clock)"
	# QEMU 7.2 spins forever on an incoming exec: stream that ends before
	# its first byte, so check the stash (in parallel with QEMU's start)
	# rather than let daxstash refuse it there.
	"$DAXSTASH" info -o "$STREAM_OFF" "$STASH" >/dev/null 2>"$DIR/check.log" &
	check=$!
	launch restore "$ram" -S -incoming defer
	if ! wait "$check"; then
		quit_qemu
		die "saved state is unusable: $(cat "$DIR/check.log")"
	fi
	t2=$(now_ms)
	[ "$MODE" = baseline ] || caps='migrate_set_capability x-ignore-shared on'
	hmp_ok ${caps:+"$caps"} \
		"migrate_incoming \"exec:$DAXSTASH get -o $STREAM_OFF $STASH - 2>>$DIR/daxstash.log\""
	if ! out=$("$HMPC" -t "$TIMEOUT" -i 5 -w 'Migration status: completed' \
		-f 'Migration status: failed' "$DIR/monitor.sock" 'info migrate' 2>&1); then
		why=$(tr -d '\r' <<<"$out" | sed -n 's/.*Migration status: failed (\(.*\)).*/\1/p' | tail -n 1)
		[ -n "$why" ] || why=$(tail -n 1 "$DIR/daxstash.log" 2>/dev/null)
		[ -z "$VFIO" ] ||
			why="$why; the kernel log says why it refused device $VFIO (dmesg | grep $VFIO)"
		quit_qemu
		die "loading the saved state failed: ${why:-no reason given}; the guest RAM and the saved state are left as they were"
	fi
	hmp_ok cont
	t3=$(now_ms)
	case $STASH in
	/dev/pkern/*) how="stable names" ;;
	/dev/*) how="pkdaxctl lookup" ;;
	*) how="files" ;;
	esac
	say "restore: $((t3 - t0)) ms (find namespaces $tf ms by $how, read metadata $((t1 - t0 - tf)) ms, QEMU up $((t2 - t1)) ms, load+cont $((t3 - t2)) ms)$gap"
	# the driver's own restore cost, for the blackout breakdown
	[ "$BACKEND" != pkern ] ||
		say "restore: driver: $(dmesg 2>/dev/null | grep -o "$REGION: [0-9]* namespaces ready in [0-9]* us" | tail -n 1)"
	say "restore: blackout without kexec = save ${SAVE_MS:-?} ms + restore $((t3 - t0)) ms"
	say "restore: save_ms=${STORED_MS:-?} restore_ms=$((t3 - t1)) (stop -> state stored; new QEMU started -> running)"
}

# dma_ok LINE: the guest's DMA through the device is healthy in LINE
dma_ok() {
	[ -n "$(field dma "$1")" ] ||
		die "FAIL verify: the guest reports no DMA (is the device at bus 0?): $1"
	[ "$(field bad "$1")" = 0 ] ||
		die "FAIL verify: DMA data came back damaged (bad=$(field bad "$1")): $1"
	[ "$(field stuck "$1")" = 0 ] ||
		die "FAIL verify: DMA transfers never finished (stuck=$(field stuck "$1")): $1"
	[ "$(field live "$1")" = ok ] ||
		die "FAIL verify: the device lost its liveness register (live=$(field live "$1")): $1"
}

cmd_verify() {
	local t0 first second sid scount ssum n dma="" devdma=""

	t0=$(now_ms)
	STASH=$(dev_of "$NAME-state")
	[ -n "$STASH" ] || die "FAIL verify: no $NAME-state to compare with"
	meta_load
	wait_reports 1
	first=$(reports | head -n 1)
	sid=$(field id "$LAST"); scount=$(field count "$LAST"); ssum=$(field sum "$LAST")
	say "verify: saved:   $LAST"
	say "verify: resumed: $first (after $(($(now_ms) - t0)) ms)"
	[ "$(field id "$first")" = "$sid" ] ||
		die "FAIL verify: guest was restarted from scratch (boot id $(field id "$first"), saved $sid; count $(field count "$first"))"
	[ "$(field sum "$first")" = "$ssum" ] ||
		die "FAIL verify: guest memory changed (checksum $(field sum "$first"), saved $ssum)"
	[ "$(field count "$first")" -ge "$scount" ] ||
		die "FAIL verify: counter went back ($(field count "$first") < saved $scount)"
	# A guest that drove a device (assigned, or emulated for a test) must
	# go on doing so; with --vfio it must have driven one.
	[ -z "$VFIO" ] && [ -z "$(field dma "$LAST")" ] || devdma=1
	if [ -n "$devdma" ]; then
		[ -n "$(field dma "$LAST")" ] ||
			die "FAIL verify: the saved report has no DMA fields (was the device driven?): $LAST"
		dma_ok "$first"
		[ "$(field dma "$first")" -ge "$(field dma "$LAST")" ] ||
			die "FAIL verify: DMA count went back ($(field dma "$first") < saved $(field dma "$LAST"))"
	fi
	# the next report must show the guest running on; with a device, the
	# first one whose DMA count grew (a round takes 100 ms of guest time)
	n=2
	while :; do
		wait_reports "$n"
		second=$(reports | sed -n "${n}p")
		[ -z "$devdma" ] && break
		dma_ok "$second"
		[ "$(field dma "$second")" -le "$(field dma "$first")" ] || break
		[ "$n" -lt 10 ] ||
			die "FAIL verify: no DMA round completed in $((n - 1)) reports after resume: $second"
		n=$((n + 1))
	done
	if [ "$(field count "$second")" -le "$(field count "$first")" ] ||
	   [ "$(field sum "$second")" != "$ssum" ]; then
		die "FAIL verify: guest is not running on: $second"
	fi
	if [ -n "$EXPECT_LANDED" ]; then
		[ "$(field landed "$second")" -ge "$EXPECT_LANDED" ] 2>/dev/null ||
			die "FAIL verify: landed=$(field landed "$second"), expected at least $EXPECT_LANDED: $second"
	fi
	[ -z "$devdma" ] ||
		dma=", dma $(field dma "$LAST") -> $(field dma "$second") (bad=0 stuck=0 live=ok landed=$(field landed "$second"))"
	say "PASS verify: same boot id $sid and checksum $ssum, count $scount -> $(field count "$second")$dma"
}

cmd_stop() {
	quit_qemu
	quit_qemu source
	say "stop: QEMU stopped"
}

cmd_cleanup() {
	quit_qemu
	quit_qemu source
	remove "$NAME"
	remove "$NAME-state"
	say "cleanup: removed $NAME and $NAME-state"
}

# ---- main -----------------------------------------------------------------

while [ $# -gt 0 ]; do
	case $1 in
	-b|--backend) BACKEND=${2:?}; shift ;;
	--baseline) MODE=baseline ;;
	-m|--mem) MEM=${2:?}; shift ;;
	-n|--name) NAME=${2:?}; shift ;;
	-r|--region) REGION=${2:?}; shift ;;
	-d|--dir) DIR=${2:?}; shift ;;
	--reports) REPORTS=${2:?}; shift ;;
	--timeout) TIMEOUT=${2:?}; shift ;;
	--vfio) VFIO=${2:?}; shift ;;
	--iommufd) IOMMUFD=1 ;;
	--keep-source) KEEP_SOURCE=1 ;;
	--expect-landed) EXPECT_LANDED=${2:?}; shift ;;
	-h|--help) usage ;;
	-*) echo "pkern-live-update: unknown option $1" >&2; usage ;;
	*) break ;;
	esac
	shift
done
[ $# -eq 1 ] || usage
case ${MEM:-64} in
''|*[!0-9]*) die "--mem takes a size in MiB, e.g. --mem 64" ;;
esac
[ "${MEM:-64}" -ge 8 ] || die "--mem must be at least 8 MiB (the guest fills RAM above 2 MiB)"
if [ -n "$VFIO" ]; then
	bdf=${VFIO,,}
	[[ $bdf == *:*:* ]] || bdf=0000:$bdf
	grep -qE "$BDF_RE" <<<"$bdf" ||
		die "--vfio takes a PCI address such as 0000:01:00.0, not '$VFIO'"
	VFIO=$bdf
	KEEP_SOURCE=1
fi
case ${EXPECT_LANDED:-0} in
''|*[!0-9]*) die "--expect-landed takes a count, e.g. --expect-landed 2" ;;
esac
if [ -z "$BACKEND" ]; then
	BACKEND=shm
	[ -d "/sys/class/pkern/$REGION" ] && BACKEND=pkern
fi
case $BACKEND in
pkern) [ -x "$PKDAXCTL" ] || die "$PKDAXCTL missing: run 'make' first" ;;
shm) ;;
*) die "--backend must be pkern or shm, not '$BACKEND'" ;;
esac
for f in "$DAXSTASH" "$HMPC"; do
	[ -x "$f" ] || die "$f missing: run 'make' first"
done
# QEMU runs the stash commands from / once daemonized
DAXSTASH=$(realpath "$DAXSTASH")
mkdir -p "$DIR"

case $1 in
start) cmd_start ;;
save) cmd_save ;;
restore) cmd_restore ;;
verify) cmd_verify ;;
stop) cmd_stop ;;
cleanup) cmd_cleanup ;;
before-kexec) cmd_start; cmd_save ;;
after-kexec) cmd_restore; cmd_verify; cmd_stop ;;
*) usage ;;
esac
