#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Run tests/reliability scenarios one after the other through D's
# tests/vm/run.sh (QEMU runs stay sequential on this shared machine) and
# print the counts each scenario reported.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-$TOP/build}
rc=0
for s in "$@"; do
	out=$B/vm/out/rel-$s
	res=$(VM_OUT=$out "$TOP/tests/vm/run.sh" "$TOP/tests/reliability/scenarios/$s.sh")
	echo "$res"
	case $res in PASS*) ;; *) rc=1 ;; esac
	grep -h '^COUNT ' "$out/log" 2>/dev/null | sed "s/^/  $s: /"
done
exit $rc
