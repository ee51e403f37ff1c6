#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make bench / make check-bench-smoke: run the bench scenario through the
# tests/vm harness (one VM, several kexecs), then print the results table
# and write it to $B/bench/results.md (smoke: $B/bench/smoke.md).
#
#   bench.sh [--smoke]
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
elif [ $# -gt 0 ]; then
	echo "usage: bench.sh [--smoke]" >&2
	exit 2
fi
OUT=$B/bench/out/$NAME
TABLE=$B/bench/$([ "$NAME" = bench ] && echo results || echo smoke).md
mkdir -p "$OUT"
rm -f "$TABLE"

T0=$SECONDS
VM_OUT=$OUT "$TOP/tests/vm/run.sh" "$TOP/tests/bench/scenarios/$NAME.sh"
vm_rc=$?
WALL=$((SECONDS - T0))

# a partial run still gets its table: it shows how far it got
python3 "$TOP/tests/bench/table.py" "$OUT/raw.txt" --wall "$WALL" \
	--min-rows "$([ $vm_rc -eq 0 ] && echo "$MINROWS" || echo 1)" >"$TABLE.tmp" ||
	{ rm -f "$TABLE.tmp"; echo "bench: no table (samples in $OUT/raw.txt, guest log $OUT/log)" >&2; exit 1; }
mv "$TABLE.tmp" "$TABLE"
cat "$TABLE"
echo "bench: table written to $TABLE"
[ $vm_rc -eq 0 ] || echo "bench: the VM run failed (see above and $OUT/log); the table is partial" >&2
exit $vm_rc
