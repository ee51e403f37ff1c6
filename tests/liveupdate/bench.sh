#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Blackout and state size of a live update, shared RAM vs the baseline
# (RAM migrated in full), for a few guest sizes.  Runs the whole
# start/save/restore/verify cycle per case, sequentially, and prints a
# table.  Kexec itself is not included (the VM scenario measures it).
#
#   tests/liveupdate/bench.sh [-b shm|pkern] [MIB...]   (default: 64 512)
set -eu

TOP=$(cd "$(dirname "$0")/../.." && pwd)
LU=$TOP/tools/liveupdate/pkern-live-update.sh
BACKEND=shm
if [ "${1:-}" = -b ]; then
	BACKEND=$2
	shift 2
fi
SIZES=${*:-64 512}
NAME=bench$$
export PKLU_DIR=${PKLU_DIR:-/tmp/pkern-lu-bench$$}
trap '"$LU" -b "$BACKEND" -n "$NAME" cleanup >/dev/null 2>&1 || true; rm -rf "$PKLU_DIR"' EXIT

num() { sed -n "s/.*$1 \([0-9]*\) .*/\1/p" <<<"$2" | head -n 1; }

printf '%-8s %-9s %10s %9s %9s %10s %10s %11s\n' MiB mode save_ms migr_ms quit_ms restore_ms qemu_up_ms state_bytes
for mem in $SIZES; do
	for mode in shared baseline; do
		opt=""
		[ "$mode" = shared ] || opt=--baseline
		lu() { "$LU" -b "$BACKEND" -n "$NAME" --reports 1 --timeout 600 "$@"; }
		# shellcheck disable=SC2086
		lu $opt --mem "$mem" start >/dev/null
		s=$(lu save)
		r=$(lu restore)
		lu verify >/dev/null || { echo "verify failed for $mem MiB $mode" >&2; exit 1; }
		lu cleanup >/dev/null
		printf '%-8s %-9s %10s %9s %9s %10s %10s %11s\n' "$mem" "$mode" \
			"$(num 'save:' "$s")" "$(num '(migrate' "$s")" \
			"$(num quit "$s")" "$(num 'restore:' "$r")" \
			"$(num 'QEMU up' "$r")" "$(sed -n 's/.*state \([0-9]*\) bytes.*/\1/p' <<<"$s")"
	done
done
