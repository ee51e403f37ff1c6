#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=3G memmap=1G!4G timeout=1200 boot_timeout=400
#
# make demo, guest side: a running VM survives a hypervisor live update
# by kexec, narrated.  The "hypervisor" is this test VM; the VM is a
# nested, unmodified QEMU running tools/liveupdate's tiny guest, whose RAM
# is a pkern namespace.  tools/liveupdate/pkern-live-update.sh does the
# work; this script tells the story and fails unless the guest resumed
# (same boot id and memory checksum, counter carried on).  Not part of
# make check (scenarios/liveupdate.sh checks the same flow); run by
# tests/liveupdate/demo.sh, which prints the "pkern-demo:" lines.
. "$VM_TOP/tests/harness/lib.sh"

export PKLU_BINDIR=$VM_B/liveupdate PKDAXCTL=$VM_B/pkdaxctl
LU=$VM_TOP/tools/liveupdate/pkern-live-update.sh
VMNAME=vm1
VMMEM=${DEMO_MEM:-32}	# MiB; nested TCG fills and checksums it slowly

ms_since() {
	local a=${1/./} b=${EPOCHREALTIME/./}
	echo $(((b - a) / 1000))
}

# step DESC CMD...: run CMD, narrate DESC with its wall time (guest clock)
step() {
	local desc=$1 t0=$EPOCHREALTIME out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	printf '%s\n' "$out" >>"$OUT/log"
	[ $rc -eq 0 ] || fail "$desc: $(printf '%s' "$out" | tail -n 1)"
	narrate "$(printf '  %-60s %7s ms' "$desc" "$(ms_since "$t0")")"
}

# lu WHAT CMD: one step of the live-update script; its report lines are
# the narration, and its failure (guest restarted, memory changed, ...)
# fails the demo
lu() {
	local out rc
	out=$("$LU" --backend pkern --region pkern0 --name "$VMNAME" \
		--dir /tmp/lu-demo --timeout 300 "$@" 2>&1)
	rc=$?
	printf '%s\n' "$out" >>"$OUT/log"
	printf '%s\n' "$out" | sed -n 's/^pkern-live-update: /    /p' |
		while IFS= read -r l; do narrate "$l"; done
	[ $rc -eq 0 ] || fail "live update ($*): $(printf '%s' "$out" | tail -n 1)"
}

case $PH in
0)
	narrate "boot 1: the running hypervisor ($(uname -r)), 1 GiB of DRAM reserved at 4 GiB (memmap=1G!4G)"
	step "modprobe dax_pkern: region pkern0 on the legacy pmem range" load_pkern
	step "pkdaxctl init-labels -r pkern0" "$PKDAXCTL" init-labels -r pkern0
	narrate "start VM $VMNAME: stock QEMU, guest RAM on a pkern namespace (memory-backend-file on /dev/daxN.M, share=on)"
	lu --mem "$VMMEM" start
	narrate "  $(pk list -N | jq -r '.[] | "namespace \(.name): \(.size / 1048576) MiB, \(.kind)"' | paste -sd';' | sed 's/;/; /g')"
	narrate "live update: pause $VMNAME, save its device state (RAM stays put) into namespace $VMNAME-state"
	lu save
	save saved_ms "$(sed -n 's/.*save: \([0-9]*\) ms .*/\1/p' "$OUT/log" | tail -n 1)"
	step "kexec -s -l (load the new kernel)" kexec_next
	narrate "kexec -e: the old kernel is gone; the VM's RAM is not touched"
	;;
1)
	narrate "boot 2: new kernel up, userland $(boot_ms) ms after kexec -e (guest TSC)"
	t0=$EPOCHREALTIME
	load_pkern >>"$OUT/log"
	narrate "$(printf '  %-60s %7s ms' "modprobe dax_pkern" "$(ms_since "$t0")")"
	narrate "  kernel: $(dmesg | grep -oE 'pkern[0-9]+: [0-9]+ namespaces ready in .*' | tail -n 1)"
	narrate "start a new QEMU on the same namespace, load the saved state, continue"
	lu restore
	narrate "is it the same VM? it reports a boot id, a counter and a checksum of its RAM: a restart would show a new id and count from 0"
	lu verify
	restore_ms=$(sed -n 's/.*restore: \([0-9]*\) ms .*/\1/p' "$OUT/log" | tail -n 1)
	lu cleanup
	no_splat
	narrate "blackout: save $(get saved_ms) ms + shutdown $HANDOFF_MS ms + kexec -e to namespaces ready $READY_MS ms + QEMU restore $restore_ms ms (guest clock, TCG)"
	narrate "live update done: VM $VMNAME resumed where it stopped, its ${VMMEM} MiB of RAM never copied"
	pass
	;;
esac
