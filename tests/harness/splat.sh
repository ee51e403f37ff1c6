# SPDX-License-Identifier: GPL-2.0-only
#
# The kernel splat pattern, sourced by run.sh on the host and by lib.sh in
# the guest so that both judge a kernel log by the same lines.  A splat
# fails the scenario whatever the scenario itself reported.
# shellcheck shell=bash

# shellcheck disable=SC2034	# used by the files that source this one
SPLAT_PATTERN='WARNING:|BUG:|Oops|KASAN|UBSAN|general protection fault|Call Trace|Kernel panic'

# splat_first: the first splat line on stdin (empty when there is none)
splat_first() {
	grep -aE "$SPLAT_PATTERN" | head -n 1
}
