#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=6G memmap=2G!4G timeout=2700 boot_timeout=900
#
# make bench, part 3: the blackout of a live update by kexec,
# a nested stock QEMU with its RAM on pkern (only device state saved)
# against the same guest with RAM in anonymous memory, migrated in full
# into a pkern namespace and back, at 64 and 512 MiB.  One nested QEMU
# runs at a time: each guest is started, paused and saved in turn, one
# kexec, then each is restored and verified in turn.  A guest's blackout
# is its own save + the shutdown and kexec -e -> namespaces ready that
# all share + its own restore; the wait for the other guests' turns is
# not counted.  "save + restore" leaves out the kexec, which under TCG
# is dominated by an emulation artefact after nested QEMU has run (the
# next kernel reaches init in seconds, then its first userland takes
# minutes to page in), not by anything pkern or the host kernel does.
. "$VM_TOP/tests/harness/lib.sh"
. "$VM_TOP/tests/bench/guest-lib.sh"

export PKLU_BINDIR=$VM_B/liveupdate PKDAXCTL=$VM_B/pkdaxctl
LU=$VM_TOP/tools/liveupdate/pkern-live-update.sh
SIZES=${LU_SIZES:-64 512}
MODES="shared baseline"

# lu NAME ARGS...: one step of the live-update script for guest NAME;
# its output is in $LU_OUT
lu() {
	local n=$1
	shift
	LU_OUT=$("$LU" --backend pkern --region pkern0 --name "$n" \
		--dir "/tmp/lu-$n" --reports 1 --timeout 900 "$@" 2>&1)
	local rc=$?
	printf '%s\n' "$LU_OUT" >>"$OUT/log"
	[ $rc -eq 0 ] || fail "live update of $n ($*): $(printf '%s' "$LU_OUT" | tail -n 1)"
}

# num WORD: the number after "WORD " in the last step's output
num() { sed -n "s/.*$1 \([0-9]*\) .*/\1/p" <<<"$LU_OUT" | head -n 1; }

case $PH in
0)
	load_pkern
	pk init-labels -r pkern0 >/dev/null || exit 1
	for m in $SIZES; do
		for mode in $MODES; do
			opt=
			[ "$mode" = shared ] || opt=--baseline
			lu "lu-$mode-$m" $opt --mem "$m" start
			lu "lu-$mode-$m" save
			save "save.$mode.$m" "$(num 'save:')"
			rec "lu.$mode.$m.save" "$(num 'save:')"
			rec "lu.$mode.$m.state" "$(sed -n 's/.*state \([0-9]*\) bytes.*/\1/p' <<<"$LU_OUT")"
			log "$mode $m MiB: saved in $(num 'save:') ms"
		done
	done
	no_splat
	kexec_next
	;;
1)
	load_pkern
	rec lu.kexec "$((HANDOFF_MS + READY_MS))"
	rec lu.pkern "$(dmesg | sed -n 's/.*pkern0: [0-9]* namespaces ready in \([0-9]*\) us.*/\1/p' | tail -n 1)"
	for m in $SIZES; do
		for mode in $MODES; do
			lu "lu-$mode-$m" restore
			r=$(num 'restore:')
			lu "lu-$mode-$m" verify
			lu "lu-$mode-$m" cleanup
			rec "lu.$mode.$m.restore" "$r"
			rec "lu.$mode.$m.saverestore" "$(($(get "save.$mode.$m") + r))"
			rec "lu.$mode.$m.blackout" \
				"$(($(get "save.$mode.$m") + HANDOFF_MS + READY_MS + r))"
			log "$mode $m MiB: restored in $r ms, resumed"
		done
	done
	no_splat
	pass
	;;
esac
