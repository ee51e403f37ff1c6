#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Run scenarios one after the other through run.sh (QEMU runs stay
# sequential: the machine's cores are shared) and summarise.
#
#   run-scenarios.sh [-n LABEL] SUITE/SCENARIO...
#
# A SKIP (run.sh exit 77) is not a failure, but a run in which every
# scenario skipped fails: it proved nothing.  The "COUNT ..." lines a
# scenario logs (how many cases it went through) are printed after its
# result.  Exits 0 when nothing failed, else 1.
set -u

HARNESS=$(cd "$(dirname "$0")" && pwd)
B=${B:-$(cd "$HARNESS/../.." && pwd)/build}

# counts NAME: the COUNT lines of scenario NAME's log, indented
counts() {
	local name=$1
	grep -h '^COUNT ' "$B/vm/out/$name/log" 2>/dev/null | sed "s|^|  $name: |"
}

main() {
	local label=run-scenarios t0=$SECONDS s rc pass=0 skip=0 failed=""
	if [ "${1:-}" = -n ]; then
		label=$2
		shift 2
	fi
	for s in "$@"; do
		"$HARNESS/run.sh" "$s"
		rc=$?
		case $rc in
		0) pass=$((pass + 1)) ;;
		77) skip=$((skip + 1)) ;;
		*) failed="$failed $s" ;;
		esac
		counts "$s"
	done
	echo "$label: $pass passed, $skip skipped of $# scenarios in $((SECONDS - t0)) s${failed:+; failed:$failed}"
	if [ $# -gt 0 ] && [ "$skip" -eq $# ]; then
		echo "$label: every scenario skipped; nothing was tested" >&2
		return 1
	fi
	[ -z "$failed" ]
}

main "$@"
