# SPDX-License-Identifier: GPL-2.0-only
#
# What the memory-error scenarios (poison, poison-kexec, poison-mce)
# share; sourced after the harness's lib.sh.
# shellcheck shell=bash

# shellcheck disable=SC2034 # used by the scenarios that source this
POISON=$VM_B/driver/dax_poison
SYS=/sys/class/pkern/pkern0

# bad_count: recorded pages, as sysfs shows them
bad_count() { cat "$SYS/badblock_count"; }

# wait_recorded N: the driver records asynchronously (a work item)
wait_recorded() {
	local _
	for _ in $(seq 50); do
		[ "$(bad_count)" = "$1" ] && return 0
		sleep 0.1
	done
	fail "badblock_count is $(bad_count), expected $1; dmesg: $(dmesg | grep -i 'pkern' | tail -n 1)"
}
