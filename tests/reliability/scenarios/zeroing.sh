#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=3G memmap=1G!4G smp=2 timeout=900
#
# Zeroing a new namespace does not hold the region lock.  With the
# fault-injection build of dax_pkern, scrub_hold stops every zeroing
# before its next chunk and scrub_waiting shows one waiting there, so the
# test knows a create is in the middle of zeroing, however slow or fast
# the machine.  While it is held:
#  - list (INFO, READ_LABELS) and the region's sysfs attributes answer,
#    without the new namespace, and the create is then still zeroing;
#  - a destroy started meanwhile waits for it: the destroy's label
#    generation is the create's plus one, and both succeed.
# Then a create killed while held writes no label.  check is clean.
. "$VM_TOP/tests/harness/lib.sh"

KO=$VM_B/reliability/module-faults/dax_pkern.ko
DBG=/sys/kernel/debug/pkern/pkern0
# a hang guard, not a timing assertion: the command must answer at all
GUARD=120

[ "$PH" = 0 ] || fail "no kernel $PH in this scenario"

# held_zeroing: poll until a zeroing waits at scrub_hold
held_zeroing() {
	local _
	for _ in $(seq $((GUARD * 10))); do
		[ "$(cat $DBG/scrub_waiting)" = 1 ] && return 0
		sleep 0.1
	done
	return 1
}

# still_zeroing PID WHAT: the create PID is still held in its zeroing
still_zeroing() {
	if ! kill -0 "$1" 2>/dev/null || [ "$(cat $DBG/scrub_waiting)" != 1 ]; then
		fail "the create stopped zeroing before $2 finished: the test proves nothing"
	fi
}

# in_ioctl PID: poll until PID sleeps in the control device's ioctl
in_ioctl() {
	local _
	for _ in $(seq $((GUARD * 10))); do
		grep -q pkern_ctl_ioctl "/proc/$1/stack" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

load_pkern
mountpoint -q /sys/kernel/debug ||
	must "mount debugfs" mount -t debugfs none /sys/kernel/debug
[ -f $DBG/scrub_hold ] || fail "$KO has no $DBG/scrub_hold"
pk init-labels -r pkern0 >/dev/null || exit 1
pk create-namespace -r pkern0 -n small -s 2M -t guest -a 2M >/dev/null || exit 1

echo 1 >$DBG/scrub_hold
"$PKDAXCTL" create-namespace -r pkern0 -n big -s 256M -t guest -a 2M \
	>"$OUT/big.out" 2>&1 &
big=$!
held_zeroing || fail "the create of big never reached its zeroing"

out=$(timeout -s KILL $GUARD "$PKDAXCTL" list -r pkern0 -N 2>&1) ||
	fail "pkdaxctl list did not answer while a create was zeroing: $out"
still_zeroing $big "pkdaxctl list"
printf '%s\n' "$out" | jq -e 'map(.name) == ["small"]' >/dev/null ||
	fail "list while big is zeroing: $(printf '%s' "$out" | jq -c 'map(.name)')"
avail=$(timeout -s KILL $GUARD cat /sys/class/pkern/pkern0/available_size) ||
	fail "available_size did not answer while a create was zeroing"
still_zeroing $big "reading available_size"
log "while big zeroes: list shows $(printf '%s' "$out" | jq -c 'map(.name)'), available_size $avail"

"$PKDAXCTL" destroy-namespace small -r pkern0 >"$OUT/small.out" 2>&1 &
small=$!
in_ioctl $small || fail "the destroy of small never reached the driver"
still_zeroing $big "the destroy of small reached the driver"
echo 0 >$DBG/scrub_hold
wait $big || fail "create of big failed: $(tail -n 1 "$OUT/big.out")"
wait $small || fail "destroy of small failed: $(tail -n 1 "$OUT/small.out")"
gen_big=$(dmesg | sed -n 's/.*created guest namespace big .*generation \([0-9]*\)).*/\1/p')
gen_small=$(dmesg | sed -n 's/.*destroyed namespace small (slot [0-9]*, generation \([0-9]*\)).*/\1/p')
if [ -z "$gen_big" ] || [ -z "$gen_small" ]; then
	fail "no create/destroy lines in the kernel log (big '$gen_big', small '$gen_small')"
fi
[ "$gen_small" -eq $((gen_big + 1)) ] ||
	fail "destroy of small committed at generation $gen_small, create of big at $gen_big: the destroy did not wait for the create"
[ "$(pk list -N | jq -c 'map(.name)')" = '["big"]' ] ||
	fail "after both: $(pk list -N | jq -c 'map(.name)')"
log "destroy of small waited for the zeroing create of big (generations $gen_big, $gen_small)"

# a create killed while it zeroes leaves no label
echo 1 >$DBG/scrub_hold
"$PKDAXCTL" create-namespace -r pkern0 -n killed -s 64M -t guest -a 2M \
	>"$OUT/killed.out" 2>&1 &
killed=$!
held_zeroing || fail "the create of killed never reached its zeroing"
kill -KILL $killed
wait $killed 2>/dev/null && fail "the killed create succeeded"
echo 0 >$DBG/scrub_hold
dmesg | grep -q "create of killed interrupted while zeroing; nothing created" ||
	fail "no 'interrupted while zeroing' line for the killed create"
[ -z "$(ns_field killed name)" ] || fail "the killed create left namespace 'killed'"

must "check after held zeroing" "$PKDAXCTL" check -r pkern0
pk destroy-namespace big -r pkern0 >/dev/null || exit 1
no_splat
pass
