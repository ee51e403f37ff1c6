#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=3G memmap=1G!4G smp=2 timeout=1500
#
# One boot, no kexec: the live control interface, then hostile media.
#  1. device nodes are root-only; ioctl_abuse (every ioctl with broken
#     structs, plus random ones) gets precise errnos and leaves the label
#     area byte-identical; without CAP_SYS_ADMIN open and ioctl get EPERM
#  2. four processes create/zero-check/fill/verify/destroy namespaces for
#     a fixed time while good1 is held mapped; destroying good1 meanwhile
#     is refused; afterwards check is clean and good1/good2 are intact
#  3. genbad's label areas, each written through the stock /dev/pmem0 and
#     probed by the real driver: no dax device outside the baseline's good
#     extents, good namespaces up where the region is usable, the problem
#     named in dmesg and by pkdaxctl check, label bytes not changed by the
#     probe, no splat
. "$VM_TOP/tests/harness/lib.sh"

REL=$VM_B/reliability
IMG=$STATE/images
WORKERS=4
CHURN_SECONDS=${CHURN_SECONDS:-30}
E820=/sys/bus/platform/drivers/e820_pmem

count() { echo "COUNT $*" >>"$OUT/log"; log "COUNT $*"; }

perms() {
	local f m
	for f in /dev/pkern0 $(get dev.good1); do
		m=$(stat -c '%a %U %G' "$f")
		[ "$m" = "600 root root" ] || fail "$f is '$m', want '600 root root'"
	done
	# DAC alone keeps an ordinary user out
	must_fail "open /dev/pkern0 as nobody" setpriv --reuid=65534 --regid=65534 --clear-groups \
		dd if=/dev/pkern0 of=/dev/null count=0
	printf '%s\n' "$MUST_OUT" | grep -q 'Permission denied' ||
		fail "nobody opening /dev/pkern0: '$MUST_OUT', want Permission denied"
	must_fail "map $(get dev.good1) as nobody" setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$VMM" zero "$(get dev.good1)"
	# uid 0 without capabilities: the driver's own CAP_SYS_ADMIN checks
	must "open without CAP_SYS_ADMIN" setpriv --inh-caps=-all --bounding-set=-all \
		"$REL/ioctl_abuse" --eperm /dev/pkern0
	must "ioctls without CAP_SYS_ADMIN on an inherited fd" setpriv --inh-caps=-all \
		--bounding-set=-all "$REL/ioctl_abuse" --eperm 3 3<>/dev/pkern0
	count "permission cases: 2 modes + 2 DAC + 1 open + 6 ioctl EPERM"
}

# worker I: churn until the deadline; failures go to worker.I.fail
worker() {
	local i=$1 n=0 js slot dev seed sz ok=0
	while [ $SECONDS -lt $DEADLINE ]; do
		n=$((n + 1))
		sz=$(((RANDOM % 4 + 1) * 2))M
		# JSON from stdout only: stderr may carry libdaxctl's notes on
		# devices another worker is removing at the same moment
		if ! js=$("$PKDAXCTL" create-namespace -r pkern0 -n w"$i"-$n -s $sz -t guest -a 2M 2>"$STATE/w$i.err"); then
			echo "create w$i-$n: $(cat "$STATE/w$i.err")" >>"$STATE/worker.$i.fail"
			return
		fi
		slot=$(printf '%s\n' "$js" | jq -r .slot)
		case $slot in
		''|*[!0-9]*) echo "create w$i-$n printed no slot: '$js' (stderr: $(cat "$STATE/w$i.err"))" >>"$STATE/worker.$i.fail"; return ;;
		esac
		dev=/dev/dax0.$slot
		wait_for "$dev" 5 || { echo "no $dev for w$i-$n" >>"$STATE/worker.$i.fail"; return; }
		seed=$((i * 100000 + n))
		"$VMM" zero "$dev" >/dev/null 2>&1 ||
			{ echo "w$i-$n ($dev) not zero on create" >>"$STATE/worker.$i.fail"; return; }
		if ! "$VMM" fill "$dev" $seed "$STATE/w$i.layout" >/dev/null 2>&1 ||
			! "$VMM" verify "$dev" $seed "$STATE/w$i.layout" >/dev/null 2>&1; then
			echo "w$i-$n ($dev) fill/verify failed" >>"$STATE/worker.$i.fail"
			return
		fi
		if ! js=$("$PKDAXCTL" destroy-namespace w"$i"-$n -r pkern0 2>&1); then
			echo "destroy w$i-$n: $js" >>"$STATE/worker.$i.fail"
			return
		fi
		ok=$((ok + 1))
	done
	echo $ok >"$STATE/worker.$i.ops"
}

churn() {
	local i total=0 refused=0 hold
	"$VMM" hold "$(get dev.good1)" $((CHURN_SECONDS + 30)) >>"$OUT/log" 2>&1 &
	hold=$!
	sleep 2
	DEADLINE=$((SECONDS + CHURN_SECONDS))
	for i in $(seq $WORKERS); do worker "$i" & done
	while [ $SECONDS -lt $DEADLINE ]; do
		if "$PKDAXCTL" destroy-namespace good1 -r pkern0 >>"$OUT/log" 2>&1; then
			fail "destroy of mapped good1 succeeded during churn"
		fi
		refused=$((refused + 1))
		sleep 1
	done
	# shellcheck disable=SC2046	# one PID per word
	wait $(jobs -p | grep -vx "$hold")
	kill $hold 2>/dev/null
	wait $hold 2>/dev/null
	for i in $(seq $WORKERS); do
		[ -f "$STATE/worker.$i.fail" ] && fail "worker $i: $(cat "$STATE/worker.$i.fail")"
		total=$((total + $(cat "$STATE/worker.$i.ops")))
	done
	[ $total -gt 0 ] || fail "no worker completed a create/destroy cycle"
	must "check after churn" "$PKDAXCTL" check -r pkern0
	[ "$(pk list -N | jq length)" = 2 ] || fail "namespaces left over after churn"
	must "verify good1 after churn" "$VMM" verify "$(get dev.good1)" 21 "$STATE/layout.good1"
	must "verify good2 after churn" "$VMM" verify "$(get dev.good2)" 22 "$STATE/layout.good2"
	count "concurrent cycles: $total create+zero-check+fill+verify+destroy by $WORKERS processes in ${CHURN_SECONDS}s; $refused destroys of mapped good1 refused"
}

# pmem_mode / pkern_mode: hand the range to nd_e820 or to dax_pkern
pmem_mode() {
	rmmod dax_pkern 2>/dev/null
	[ -e /dev/pmem0 ] && return
	modprobe -a nd_pmem nd_e820 || fail "cannot load the stock pmem drivers"
	[ -e $E820/e820_pmem ] || echo e820_pmem >$E820/bind 2>>"$OUT/log"
	wait_for /dev/pmem0 10 || fail "stock /dev/pmem0 did not come back"
}

pkern_mode() {
	[ -e $E820/e820_pmem ] && echo e820_pmem >$E820/unbind
	insmod "$KO" || fail "insmod dax_pkern failed"
	wait_for /sys/class/pkern/pkern0/state 10 || fail "pkern0 did not appear"
}

# devices_ok ALLOWED: every dax device's extent is one of ALLOWED
# ("start:size" words, physical)
devices_ok() {
	local d r s
	for d in /sys/bus/dax/devices/dax*; do
		[ -e "$d" ] || continue
		r=$(cat "$d/resource" 2>/dev/null) || r=none
		s=$(cat "$d/size")
		case " $1 " in *" $((r)):$s "*) ;; *)
			echo "$(basename "$d") at $r size $s"; return 1 ;; esac
	done
	return 0
}

ndev() { find /sys/bus/dax/devices -maxdepth 1 -name 'dax*' 2>/dev/null | wc -l; }

one_image() {
	local f=$1 expect=$2 slot=$3 desc=$4 st bad chk crc allowed
	pmem_mode
	dd if="$IMG/$f" of=/dev/pmem0 bs=4096 oflag=direct conv=notrunc 2>/dev/null ||
		fail "$f: writing to /dev/pmem0 failed"
	sync
	echo "pkern-reliability: image $f: $desc" >/dev/kmsg
	pkern_mode
	st=$(pkern_state)
	allowed=$GOOD_EXT
	[ "$expect" = extra ] && allowed="$allowed $EXTRA_EXT"
	bad=$(devices_ok "$allowed") || fail "$f ($desc): $bad is not a namespace the media may expose"
	chk=$("$PKDAXCTL" check -r pkern0 2>&1)
	crc=$?
	printf '%s\n' "$chk" >>"$OUT/log"
	msgs=$(dmesg | sed -n "/pkern-reliability: image $f:/,\$p" | grep -i pkern | tail -n +2)
	case $expect in
	slot | extra)
		[ "$st" = ready ] || fail "$f ($desc): state $st, want ready"
		{ [ -e "$DEV1" ] && [ -e "$DEV2" ]; } ||
			fail "$f ($desc): good namespaces not both up"
		;;
	esac
	case $expect in
	extra)
		[ -e /dev/dax0."$slot" ] || fail "$f ($desc): valid slot $slot not exposed"
		[ $crc -eq 0 ] || fail "$f ($desc): check exited $crc on valid labels"
		;;
	slot)
		[ -e /dev/dax0."$slot" ] && fail "$f ($desc): bad slot $slot exposed"
		[ "$(ndev)" -le 2 ] || fail "$f ($desc): $(ndev) dax devices, want 2"
		printf '%s\n' "$msgs" | grep -qE "slot[^0-9]{0,3}$slot([^0-9]|$)" ||
			fail "$f ($desc): kernel log does not name slot $slot: $(printf '%s' "$msgs" | tail -n 1)"
		[ $crc -ne 0 ] || fail "$f ($desc): pkdaxctl check exited 0"
		printf '%s\n' "$chk" | grep -qiE "slot[^0-9]{0,3}$slot([^0-9]|$)" ||
			fail "$f ($desc): pkdaxctl check does not name slot $slot"
		;;
	down)
		[ "$st" != ready ] || fail "$f ($desc): state ready"
		[ "$(ndev)" -eq 0 ] || fail "$f ($desc): $(ndev) dax devices on an unusable region"
		[ -n "$msgs" ] || fail "$f ($desc): driver logged nothing"
		[ $crc -ne 0 ] || fail "$f ($desc): pkdaxctl check exited 0"
		;;
	any)
		[ $crc -ne 0 ] || [ "$st" = ready ] ||
			fail "$f ($desc): state $st but pkdaxctl check exited 0"
		[ $crc -eq 0 ] || [ -n "$msgs" ] || [ "$st" = ready ] ||
			fail "$f ($desc): driver logged nothing"
		;;
	esac
	no_splat
	# the probe and check must not have written anything
	pmem_mode
	[ "$(dd if=/dev/pmem0 bs=4096 count=$(($(stat -c %s "$IMG/$f") / 4096)) 2>/dev/null | sha256sum)" = \
		"$(sha256sum <"$IMG/$f")" ] || fail "$f ($desc): label area changed by probe/check"
	log "image $f ok: $desc (state $st, check rc $crc, $(ndev) dax devices)"
	RESULTS="$RESULTS$st/$crc "
}

KO=$VM_B/module/dax_pkern.ko
case $PH in
0)
	for b in ioctl_abuse genbad; do
		[ -x "$REL/$b" ] || fail "$REL/$b not built (make reliability)"
	done
	load_pkern
	pk init-labels -r pkern0 >/dev/null || exit 1
	for n in good1 good2; do
		pk create-namespace -r pkern0 -n $n -s 32M -t guest -a 2M >/dev/null || exit 1
		save dev.$n "$(ns_dev $n)"
		save ext.$n "$(($(cat "/sys/bus/dax/devices/$(basename "$(get dev.$n)")/resource"))):$((32 << 20))"
	done
	must "fill good1" "$VMM" fill "$(get dev.good1)" 21 "$STATE/layout.good1"
	must "fill good2" "$VMM" fill "$(get dev.good2)" 22 "$STATE/layout.good2"

	perms
	must "ioctl abuse" "$REL/ioctl_abuse" --random 3000 /dev/pkern0
	count "ioctl cases: $(sed -n 's/^ioctl_abuse: \([0-9]*\) cases.*/\1/p' "$OUT/log" | tail -n 1) as root, label area unchanged"
	churn

	mkdir -p "$IMG"
	must "generate images" "$REL/genbad" /dev/pkern0 "$IMG"
	# genbad's valid extra namespace sits 2 MiB past good2
	g2=$(get ext.good2)
	save ext.extra "$((${g2%:*} + (32 << 20) + (2 << 20))):$((2 << 20))"
	# every STRIDE-th image (make check: a sample; make reliability-full: 1)
	stride=$(cat "$REL/media-stride" 2>/dev/null || echo 1)
	GOOD_EXT="$(get ext.good1) $(get ext.good2)"
	EXTRA_EXT=$(get ext.extra)
	DEV1=$(get dev.good1)
	DEV2=$(get dev.good2)
	RESULTS=
	n=0
	i=0
	while read -r f expect slot desc; do
		i=$((i + 1))
		[ $(((i - 1) % stride)) -eq 0 ] || continue
		one_image "$f" "$expect" "$slot" "$desc"
		n=$((n + 1))
	done <"$IMG/manifest"
	count "malicious images tried: $n of $i (state/check-rc: $RESULTS)"

	# back to the baseline: the good namespaces with every byte
	pmem_mode
	dd if="$IMG/baseline.bin" of=/dev/pmem0 bs=4096 oflag=direct conv=notrunc 2>/dev/null
	pkern_mode
	[ "$(pkern_state)" = ready ] || fail "baseline labels not ready"
	must "verify good1" "$VMM" verify "$(get dev.good1)" 21 "$STATE/layout.good1"
	must "verify good2" "$VMM" verify "$(get dev.good2)" 22 "$STATE/layout.good2"
	must "check baseline" "$PKDAXCTL" check -r pkern0
	count "bytes verified: $((2 * 3 * (32 << 20))) (good1+good2, 3 times)"
	no_splat
	pass
	;;
esac
