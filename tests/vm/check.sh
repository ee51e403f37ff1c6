#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Run the given tests/vm scenarios one after the other (QEMU runs stay
# sequential: the machine's cores are shared) and summarise.
#   check.sh SCENARIO...
HERE=$(cd "$(dirname "$0")" && pwd)
T0=$SECONDS
pass=0
failed=""
for s in "$@"; do
	if "$HERE/run.sh" "$s"; then
		pass=$((pass + 1))
	else
		failed="$failed $s"
	fi
done
echo "check-vm: $pass of $# scenarios passed in $((SECONDS - T0)) s${failed:+; failed:$failed}"
[ -z "$failed" ]
