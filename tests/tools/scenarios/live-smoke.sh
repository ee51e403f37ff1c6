#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=3G memmap=1G!4G timeout=300
#
# live-smoke.sh (pkdaxctl's live mode) as a scenario of the QEMU harness:
#   tests/harness/run.sh tools/live-smoke        (make check-tools-live)
. "$VM_TOP/tests/harness/lib.sh"

load_pkern
"$VM_TOP/tests/tools/live-smoke.sh" -r pkern0 "$PKDAXCTL" 2>&1 | tee -a "$OUT/log" >"$STATE/smoke"
grep '^FAIL' "$STATE/smoke" | head -n 1 | grep -q . &&
	fail "$(grep '^FAIL' "$STATE/smoke" | head -n 1)"
grep -q 'pkdaxctl live smoke: [0-9]* passed, 0 failed' "$STATE/smoke" ||
	fail "live-smoke.sh did not finish: $(tail -n 1 "$STATE/smoke")"
no_splat
pass
