# SPDX-License-Identifier: GPL-2.0-only
#
# The kernel command line of the next phase, sourced by lib.sh in the
# guest: every scenario that kexecs builds it here, so the phase counter
# and the harness's pkern.* words are carried over in one way.
# shellcheck shell=bash

# next_cmdline PHASE [KEY=VALUE...]: /proc/cmdline with pkern.phase=PHASE;
# each KEY given drops every KEY= word of the running kernel and the
# given words are appended (a key may be given more than once, as
# memmap= is for two ranges)
next_cmdline() {
	local phase=$1 cmd="" w kv drop
	shift
	# shellcheck disable=SC2013	# the command line is one line of words
	for w in $(cat /proc/cmdline); do
		case $w in pkern.phase=*) w=pkern.phase=$phase ;; esac
		drop=
		for kv in "$@"; do
			case $w in "${kv%%=*}="*) drop=1 ;; esac
		done
		[ -n "$drop" ] || cmd="$cmd $w"
	done
	for kv in "$@"; do
		cmd="$cmd $kv"
	done
	echo "${cmd# }"
}

# cmdline_arg KEY: the value of the running kernel's KEY= word
cmdline_arg() {
	local w
	# shellcheck disable=SC2013	# the command line is one line of words
	for w in $(cat /proc/cmdline); do
		case $w in "$1="*) echo "${w#*=}"; return ;; esac
	done
}
