#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=3G memmap=1G!4G timeout=1200 boot_timeout=400
#
# Live update of a running VM across kexec with stock QEMU (nested, TCG):
# a tiny guest whose RAM is a pkern namespace is stopped, its device
# state stashed in a second namespace, the host kexecs, and a new QEMU
# resumes it: same boot id, same memory checksum, counter carries on.
# A second guest in baseline mode (RAM in anonymous memory, migrated in
# full into the stash) goes through the same kexec for comparison.
# tools/liveupdate/pkern-live-update.sh does the work and the timing.
. "$VM_TOP/tests/harness/lib.sh"

export PKLU_BINDIR=$VM_B/liveupdate PKDAXCTL=$VM_B/pkdaxctl
LU=$VM_TOP/tools/liveupdate/pkern-live-update.sh
MEM=${LU_MEM:-16}	# MiB; TCG inside TCG fills and checksums slowly

# lu NAME ARGS...: the live-update script on pkern0 for guest NAME
lu() {
	local n=$1
	shift
	must "live update of $n: $*" "$LU" --backend pkern --region pkern0 \
		--name "$n" --dir "/tmp/lu-$n" --timeout 300 "$@"
}

case $PH in
0)
	load_pkern
	pk init-labels -r pkern0 >/dev/null || exit 1
	lu lu-shared --mem "$MEM" before-kexec
	lu lu-base --mem "$MEM" --baseline before-kexec
	pk list -N | jq -S . >"$STATE/pk.before" || exit 1
	no_splat
	kexec_next
	;;
1)
	load_pkern
	[ "$(pkern_state)" = ready ] || fail "after kexec state is '$(pkern_state)'"
	lu lu-shared after-kexec
	lu lu-base after-kexec
	lu lu-shared cleanup
	lu lu-base cleanup
	no_splat
	pass
	;;
esac
