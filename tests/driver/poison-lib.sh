# SPDX-License-Identifier: GPL-2.0-only
#
# What the memory-error scenarios (poison, poison-kexec, poison-mce,
# iommu/pool-poison) share; sourced after the harness's lib.sh.
# shellcheck shell=bash

# shellcheck disable=SC2034 # used by the scenarios that source this
POISON=$VM_B/driver/dax_poison
SYS=/sys/class/pkern/pkern0

# bad_count: recorded pages, as sysfs shows them
bad_count() { cat "$SYS/badblock_count"; }

# wait_recorded N: the driver records asynchronously (a work item)
wait_recorded() {
	local _
	for _ in $(seq 100); do
		[ "$(bad_count)" = "$1" ] && return 0
		sleep 0.1
	done
	fail "badblock_count is $(bad_count), expected $1; dmesg: $(dmesg | grep -i 'pkern' | tail -n 1)"
}

# inject_mce PHYS: QEMU's HMP mce raises an uncorrected, action-optional
# memory scrub error (SRAO: VAL|UC|EN|MISCV|ADDRV|S, MCACOD 0xc0) at PHYS
# on bank 1, MCG_STATUS RIPV|MCIP, MISC address mode physical with LSB
# 12.  Needs hmp=on and an Intel CPU with MCA recovery in the header
# (vendor=GenuineIntel: TCG's -cpu max is AuthenticAMD without SUCCOR,
# where Linux panics on any uncorrected error).
inject_mce() {
	local cmd
	cmd=$(printf 'mce 0 1 0xbd000000000000c0 0x5 %#x 0x8c' "$1")
	log "monitor: $cmd: $(hmp "$cmd" | tr -d '\r' | tr '\n' ' ')"
}
