#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=3G memmap=1G!4G timeout=900
#
# Crash during kernel-side label updates, with the fault-injection build
# of dax_pkern (build/reliability/module-faults).  For create, destroy and
# format, every fault point k (the op's (k+1)-th label-area write and all
# later ones fail with EIO) is injected; the op must fail and the labels
# must then read back as exactly the old or exactly the new namespace set.
#
# Every k is checked by rmmod + insmod: a fresh probe parses the same
# label bytes a new kernel would (the label area is RAM either way), and
# costs a second where a kexec costs a minute and a half under TCG.  One
# fault point per operation is then left pending with no unload at all
# and checked across a real kexec -e; the reload loop runs last, in the
# final boot, so no kexec follows a module reload:
#   phase 0  a, b; create fails at k=1; kexec
#   phase 1  old or new? data intact; destroy fails at k=0; kexec
#   phase 2  old or new? format fails at k=1 (its last write); kexec
#   phase 3  old or new? data intact; then all k for every op by reload
. "$VM_TOP/tests/harness/lib.sh"

KO=$VM_B/reliability/module-faults/dax_pkern.ko
DBG=/sys/kernel/debug/pkern/pkern0
FSIZE=16M

# snap: the namespace set as pkdaxctl reports it, key-sorted
snap() {
	pk list -N | jq -S 'map(del(.region)) | sort_by(.name)'
}

# expected_new OP BEFORE_JSON: the namespace set a successful OP leaves
expected_new() {
	case $1 in
	create) ;;	# checked structurally: see is_new
	destroy) printf '%s\n' "$2" | jq -S 'map(select(.name != "b"))' ;;
	format) echo '[]' | jq -S . ;;
	esac
}

# is_new OP BEFORE AFTER: AFTER is BEFORE with OP applied
is_new() {
	case $1 in
	create)
		[ "$(printf '%s\n' "$3" | jq -S 'map(select(.name != "x"))')" = "$2" ] &&
			[ "$(printf '%s\n' "$3" | jq '[.[] | select(.name == "x" and .size == 16777216)] | length')" = 1 ]
		;;
	*) [ "$3" = "$(expected_new "$1" "$2")" ] ;;
	esac
}

run_op() {
	case $1 in
	create) "$PKDAXCTL" create-namespace -r pkern0 -n x -s $FSIZE -t guest -a 2M ;;
	destroy) "$PKDAXCTL" destroy-namespace b -r pkern0 ;;
	format) "$PKDAXCTL" init-labels -r pkern0 -f ;;
	esac >>"$OUT/log" 2>&1
}

# arm K: fail every label-area write after the next K
arm() {
	echo $(($(cat $DBG/nr_writes) + $1)) >$DBG/fail_after_writes ||
		fail "cannot arm fault injection"
}

reload() {
	must "rmmod dax_pkern" rmmod dax_pkern
	must "insmod faulting dax_pkern" insmod "$KO"
	wait_for /sys/class/pkern/pkern0/state 10 || fail "pkern0 did not come back"
	[ "$(pkern_state)" = ready ] || fail "state '$(pkern_state)' after reload"
}

# base: the starting set, namespaces a (filled) and b
base() {
	local have
	# a fresh module counts from 0 and fail_after_writes=0 means off:
	# make one write so that "fail the op's first write" can be armed
	if [ "$(cat $DBG/nr_writes)" = 0 ]; then
		pk create-namespace -r pkern0 -n warm -s 2M -t guest -a 2M >/dev/null || exit 1
		pk destroy-namespace warm -r pkern0 >/dev/null || exit 1
	fi
	have=$(snap | jq -r '.[].name' | tr '\n' ' ')
	# a format that went through takes a with it: bring it back
	case " $have " in *" a "*) ;; *) pk create-namespace -r pkern0 -n a -s $FSIZE -t guest -a 2M >/dev/null || exit 1; fill_a ;; esac
	case " $have " in *" x "*) pk destroy-namespace x -r pkern0 >/dev/null || exit 1 ;; esac
	case " $have " in *" b "*) ;; *) pk create-namespace -r pkern0 -n b -s $FSIZE -t guest -a 2M >/dev/null || exit 1 ;; esac
}

# verify_old_or_new OP BEFORE NOW: count the outcome
verify_old_or_new() {
	if [ "$3" = "$2" ]; then
		echo old
	elif is_new "$1" "$2" "$3"; then
		echo new
	else
		log "before: $2"
		log "after: $3"
		fail "$1: label set is neither the old nor the new one"
	fi
}

fill_a() {
	must "fill a" "$VMM" fill "$(ns_dev a)" 77 "$STATE/layout.a"
}

verify_a() {
	must "verify a" "$VMM" verify "$(ns_dev a)" 77 "$STATE/layout.a"
}

# leave OP K: inject, fail, and kexec straight away
leave() {
	local before
	before=$(snap)
	save before "$before"
	save op "$1"
	arm "$2"
	run_op "$1" && fail "$1 with fault at k=$2 succeeded"
	echo 0 >$DBG/fail_after_writes
	log "$1 failed at k=$2 with no unload: kexec -e now"
	kexec_next
}

# check_left: the next kernel sees the old or the new set
check_left() {
	local now what
	load_pkern
	[ "$(pkern_state)" = ready ] || fail "state '$(pkern_state)' after kexec"
	now=$(snap)
	what=$(verify_old_or_new "$(get op)" "$(get before)" "$now") || exit 1
	log "after kexec: $(get op) interrupted -> $what label set"
	echo "$(get op) $what" >>"$STATE/kexec-outcomes"
	if [ "$(get op)" != format ] || [ "$what" = old ]; then
		verify_a
	fi
}

mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
case $PH in
0)
	[ -f "$KO" ] || fail "$KO not built (make reliability)"
	load_pkern
	[ -w $DBG/fail_after_writes ] || fail "$KO has no fault-injection knob"
	pk init-labels -r pkern0 >/dev/null || exit 1
	base
	leave create 1
	;;
1)
	check_left
	no_splat
	base
	leave destroy 0
	;;
2)
	check_left
	no_splat
	base
	leave format 1
	;;
3)
	check_left
	echo "COUNT fault points across kexec: 3 ($(tr '\n' ',' <"$STATE/kexec-outcomes"))" >>"$OUT/log"
	points=0
	for op in create destroy format; do
		k=0
		while :; do
			base
			before=$(snap)
			arm $k
			if run_op $op; then
				echo 0 >$DBG/fail_after_writes
				reload
				is_new $op "$before" "$(snap)" || fail "$op without fault: wrong result"
				log "$op: $k label-area writes; fault points 0..$((k - 1)) all old-or-new"
				break
			fi
			echo 0 >$DBG/fail_after_writes
			reload
			what=$(verify_old_or_new $op "$before" "$(snap)") || exit 1
			log "$op fault at k=$k: failed, reload shows the $what set"
			points=$((points + 1))
			k=$((k + 1))
			[ $k -le 16 ] || fail "$op still failing after 16 fault points"
		done
	done
	base
	verify_a
	echo "COUNT fault points injected (reload check): $points" >>"$OUT/log"
	echo "COUNT total fault points: $((points + 3))" >>"$OUT/log"
	no_splat
	pass
	;;
esac
