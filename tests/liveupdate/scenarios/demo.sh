#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=3G memmap=1G!4G timeout=2400 boot_timeout=400 kernel=patched iommu=edu-rp
#
# make demo, guest side: a running VM with an assigned PCI device
# survives a hypervisor live update by kexec, narrated.  The
# "hypervisor" is this test VM (the patched kernel, VT-d on, QEMU's edu
# DMA device behind a PCIe root port); the VM is a nested, unmodified
# QEMU 10 running tools/liveupdate's tiny guest, whose RAM is a pkern
# namespace and which drives edu through vfio-pci (pkern-vfio-pci on
# this side): it keeps a DMA loop going and checks a register only it
# set.  The device is never reset and never loses bus mastering: the
# outer QEMU logs every config write the hypervisor makes, and this
# script counts, between the pause and the verified resume, those that
# cleared Bus Master of edu or of the root port or reset the bus.
# While the VM is paused (before kexec, right after it with no driver
# and nothing mapped, and once bound again) edu copies a block of guest
# memory into mailbox slots the guest checks once it runs again.
# tools/liveupdate/pkern-live-update.sh does the VM work.  Run by
# tests/liveupdate/demo.sh (make demo), which prints the "pkern-demo:"
# lines, and by make check.  LU_IOMMUFD=1 (scenarios/demo-iommufd.sh):
# both QEMUs open edu through iommufd and its VFIO cdev, not a container.
. "$VM_TOP/tests/harness/lib.sh"
# shellcheck source=tests/iommu/lib.sh
. "$VM_TOP/tests/iommu/lib.sh"

# shellcheck source=tests/liveupdate/device-lib.sh
. "$VM_TOP/tests/liveupdate/device-lib.sh"
# shellcheck source=tests/harness/udev-lib.sh
. "$VM_TOP/tests/harness/udev-lib.sh"

# links: the stable names udev made, "NAME -> daxN.M ..."
links() {
	find /dev/pkern/pkern0 -mindepth 1 -printf '%f -> %l\n' 2>/dev/null |
		sed 's|\.\./\.\./||' | sort | tr '\n' ' '
}

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

# lu WHAT...: one step of the live-update script; its report lines are
# the narration, its failure fails the demo
lu() {
	local out rc
	out=$("$LU" --backend pkern --region pkern0 --name "$VMNAME" \
		--vfio "$BDF" ${LU_IOMMUFD:+--iommufd} --dir /tmp/lu-demo \
		--timeout 600 "$@" 2>&1)
	rc=$?
	printf '%s\n' "$out" >>"$OUT/log"
	printf '%s\n' "$out" | sed -n 's/^pkern-live-update: /    /p' |
		while IFS= read -r l; do narrate "$l"; done
	[ $rc -eq 0 ] || fail "live update ($*): $(printf '%s' "$out" | tail -n 1)"
}

VFIO_HOW="a VFIO type1 container"
[ -z "${LU_IOMMUFD:-}" ] || VFIO_HOW="iommufd and its VFIO cdev"

case $PH in
0)
	narrate "boot 1: the running hypervisor ($(uname -r), pkern's IOMMU series), VT-d on; 1 GiB of DRAM reserved at 4 GiB (memmap=1G!4G)"
	narrate "  assigned device: QEMU's edu at $BDF, behind PCIe root port $(basename "$(dirname "$(readlink -f "/sys/bus/pci/devices/$BDF")")")"
	udev_up
	step "load dax_pkern, pkern_iommu: region pkern0 on the legacy pmem range" load_stack "$PLAIN_KO"
	step "pkdaxctl init-labels -r pkern0" "$PKDAXCTL" init-labels -r pkern0
	step "page-table pool $POOL: an iommu namespace of 4 MiB" \
		"$PKDAXCTL" create-namespace -r pkern0 -n "$POOL" -s 4M -t iommu -a 4K
	save handoff "$(ns_field "$POOL" handoff_addr)"
	step "edu's IOMMU group takes its page tables from $POOL; bind pkern-vfio-pci" bind_pkvfio
	narrate "start VM $VMNAME: QEMU $("$("$VM_TOP/scripts/install-qemu.sh" --print)" --version | sed -n 's/^QEMU emulator version \([0-9.]*\).*/\1/p'), guest RAM on a pkern namespace, edu assigned with vfio-pci"
	mark "$VM_MARK" || fail "the outer QEMU did not log the VM mark"
	lu --mem "$VMMEM" start
	narrate "  stable names (udev, the driver's rules): $(links)"
	narrate "live update: pause $VMNAME, save its device state (RAM stays put) into namespace $VMNAME-state; the paused QEMU keeps edu open ($VFIO_HOW)"
	lu save
	save saved_ms "$(sed -n 's/.*save: \([0-9]*\) ms .*/\1/p' "$OUT/log" | tail -n 1)"
	mark "$START_MARK" || fail "the outer QEMU did not log the start mark"
	step "while paused: edu copies guest block $BSRC into mailbox 0" blackout_dma 0
	narrate "kexec -s -l (the new kernel, told the handoff record at $(get handoff)); kexec -e with the paused QEMU alive"
	kexec_holding
	;;
1)
	narrate "boot 2: new kernel up, userland $(boot_ms) ms after kexec -e (guest TSC)"
	old_kernel_said "keeping translation of 1 device(s) across kexec" ||
		fail "the previous kernel did not keep edu's translation"
	dropped=$(old_kernel_dropped)
	[ "${dropped:-0}" -gt 0 ] ||
		fail "the previous kernel dropped no mapping of QEMU's ROMs from the kept translation"
	narrate "  old kernel: kept edu's translation, dropped $dropped mapping(s) of QEMU memory that does not survive kexec (ROMs, firmware)"
	adopted=$(dmesg | grep -o 'adopted the translation of .*')
	[ -n "$adopted" ] || fail "this kernel did not take over the kept translation: $(dmesg | grep -E 'DMAR: .*kept' | tail -n 1)"
	narrate "  new kernel's VT-d: $adopted"
	must_fail "bind a native driver to edu" sh -c \
		"echo virtio-pci >/sys/bus/pci/devices/$BDF/driver_override; echo $BDF >/sys/bus/pci/drivers_probe"
	dmesg | grep -q "$BDF: DMA kept across kexec is running: not binding virtio-pci" ||
		fail "binding virtio-pci to edu was not refused for its kept DMA"
	echo >"/sys/bus/pci/devices/$BDF/driver_override"
	narrate "  a kernel driver may not take edu (virtio-pci refused: its DMA is kept)"
	udev_up
	t0=$EPOCHREALTIME
	load_stack "$PLAIN_KO" >>"$OUT/log" 2>&1 || fail "loading the pkern modules failed"
	ready_report pkern0
	narrate "$(printf '  %-60s %7s ms' "load dax_pkern, pkern_iommu" "$(ms_since "$t0")")"
	t0=$EPOCHREALTIME
	udevadm settle -t 60 || log "udevadm settle timed out"
	if [ ! -c "/dev/pkern/pkern0/$VMNAME" ] || [ ! -c "/dev/pkern/pkern0/$VMNAME-state" ]; then
		fail "udev did not make the stable names of $VMNAME and $VMNAME-state: $(links)"
	fi
	narrate "$(printf '  %-60s %7s ms' "udev: stable names back" "$(ms_since "$t0")")"
	narrate "    $(links)"
	step "no driver, nothing mapped: edu copies into mailbox 1" blackout_dma 1
	step "edu's group takes $POOL again; bind pkern-vfio-pci" bind_pkvfio
	step "bound, before any VMM: edu copies into mailbox 2" blackout_dma 2
	narrate "start a new QEMU on the same namespaces (edu through $VFIO_HOW), load the saved state, continue"
	lu restore
	narrate "is it the same VM, with its device? boot id, counter and RAM checksum as before; its DMA loop runs on; the register it set is still set; the 3 copies made while it was paused landed"
	lu --expect-landed 3 verify
	mark "$END_MARK" || fail "the outer QEMU did not log the end mark"
	stops=$(stops_between "$START_MARK" "$END_MARK")
	[ "$stops" -eq 0 ] ||
		fail "from pause to resume, $stops config write(s) cleared bus mastering or reset the bus: $(sed -n "/@$MARK_OFF <- $START_MARK/,\$p" "$CFG_LOG" | grep -E '@0x(4|3e) ' | tr '\n' ' ')"
	before=$(stops_between "$VM_MARK" "$START_MARK")
	[ "$before" -gt 0 ] ||
		fail "the config write log shows no stop when the VM first started either (VFIO resets a device it opens): it cannot show one"
	narrate "  from pause to resume, as the device saw it: bus mastering never cleared (edu and root port), no reset; when the VM first started, the same log shows $before (VFIO's reset at open)"
	if [ -n "${LU_IOMMUFD:-}" ]; then
		# QEMU attached edu to an empty IOAS and mapped guest RAM after
		dmesg | grep -A1 "$BDF: adoption of the kept translation complete" |
			grep -q "$BDF: resumed by its VMM" ||
			fail "on iommufd the adoption did not complete when QEMU resumed edu: $(dmesg | grep "$BDF: adoption" | tail -n 1)"
		narrate "  iommufd: the kept mappings stayed until QEMU resumed edu, after it had mapped guest RAM again: $(dmesg | grep -o 'adoption of the kept translation complete.*' | tail -n 1)"
	fi
	restore_ms=$(sed -n 's/.*restore: \([0-9]*\) ms .*/\1/p' "$OUT/log" | tail -n 1)
	lu cleanup
	no_splat
	shutdown_ms=$(old_kernel_shutdown_ms)
	narrate "blackout: save $(get saved_ms) ms + kexec -e to namespaces ready $READY_MS ms (of which the old kernel's shutdown $shutdown_ms ms) + QEMU restore $restore_ms ms (guest clock, TCG)"
	narrate "live update done: VM $VMNAME resumed with its device, which never stopped doing DMA"
	pass
	;;
*) fail "no kernel $PH in this scenario" ;;
esac
