#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Stage 2 of the test VM, inside the host's userland: run this boot's
# phase of the scenario named on the kernel command line, save dmesg,
# then exit 42 if the scenario loaded the next kernel (init runs kexec -e
# after unmounting the 9p shares), else 0 (init powers off).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export LC_ALL=C HOME=/tmp

HARNESS=$(dirname "$0")
# shellcheck source=tests/harness/cmdline.sh
. "$HARNESS/cmdline.sh"

VM_SCENARIO=$(cmdline_arg pkern.scenario) VM_PHASE=$(cmdline_arg pkern.phase)
VM_TOP=$(cmdline_arg pkern.top) VM_B=$(cmdline_arg pkern.b) VM_OUT=$(cmdline_arg pkern.out)
VM_INITRD=$(cmdline_arg pkern.initrd) VM_SCRIPT=$(cmdline_arg pkern.script)
export VM_SCENARIO VM_PHASE VM_TOP VM_B VM_OUT VM_INITRD VM_SCRIPT
echo "pkern-vm: userland phase=$VM_PHASE scenario=$VM_SCENARIO uptime=$(cut -d' ' -f1 /proc/uptime)"

"$VM_B/vm/vmmtouch" clock >"$VM_OUT/userland.$VM_PHASE.tsc" 2>/dev/null
rm -f "$VM_OUT/.kexec"
bash "$VM_SCRIPT"
rc=$?
if [ $rc -ne 0 ] && ! grep -q "^FAIL $VM_SCENARIO" "$VM_OUT/result" 2>/dev/null; then
	echo "FAIL $VM_SCENARIO: phase $VM_PHASE exited $rc" >>"$VM_OUT/result"
fi

dmesg >"$VM_OUT/dmesg.$VM_PHASE.txt"
if [ $rc -eq 0 ] && [ -e "$VM_OUT/.kexec" ]; then
	echo "pkern-vm: kexec into phase $((VM_PHASE + 1))"
	"$VM_B/vm/vmmtouch" clock >"$VM_OUT/handoff.$VM_PHASE.tsc"
	sync
	exit 42		# init unmounts the shares and runs kexec -e
fi
echo "pkern-vm: power off"
sync
exit 0
