#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench / make check-bench-smoke: run the bench scenarios through
# the QEMU harness, one after the other, then print the results table
# and write it to $B/bench/results.md (smoke: $B/bench/smoke.md).
#
#   bench.sh [--smoke] SCENARIO...     (names in tests/bench/scenarios)
#
# Exits non-zero only when the machinery breaks (the VM run fails, or no
# table can be made from its samples), never because of a number.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
B=${B:-$TOP/build}
export B
NAME=bench MINROWS=20
if [ "${1:-}" = --smoke ]; then
	NAME=bench-smoke MINROWS=8
	shift
fi
if [ $# -eq 0 ]; then
	echo "usage: bench.sh [--smoke] SCENARIO..." >&2
	exit 2
fi
TABLE=$B/bench/$([ "$NAME" = bench ] && echo results || echo smoke).md
RAW=$B/bench/out/$NAME.raw.txt
mkdir -p "$B/bench/out"
rm -f "$TABLE" "$RAW"

T0=$SECONDS
vm_rc=0 skipped=0
for s in "$@"; do
	VM_OUT=$B/bench/out/$s "$TOP/tests/harness/run.sh" "bench/$s"
	case $? in
	0) ;;
	77) skipped=1 ;;	# the table shows what is missing
	*) vm_rc=1 ;;
	esac
	cat "$B/bench/out/$s/raw.txt" >>"$RAW" 2>/dev/null
done
WALL=$((SECONDS - T0))

# a partial run still gets its table: it shows how far it got
python3 "$TOP/tests/bench/table.py" "$RAW" --wall "$WALL" \
	--min-rows "$([ $vm_rc -eq 0 ] && [ $skipped -eq 0 ] && echo "$MINROWS" || echo 1)" >"$TABLE.tmp" ||
	{ rm -f "$TABLE.tmp"; echo "bench: no table (samples in $RAW, guest logs in $B/bench/out/*/log)" >&2; exit 1; }
mv "$TABLE.tmp" "$TABLE"
cat "$TABLE"
echo "bench: table written to $TABLE"
[ $vm_rc -eq 0 ] || echo "bench: a VM run failed (see above and $B/bench/out/*/log); the table is partial" >&2
exit $vm_rc
