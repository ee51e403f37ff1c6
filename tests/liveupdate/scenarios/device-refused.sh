#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=3G memmap=1G!4G timeout=2400 boot_timeout=400 kernel=patched iommu=edu-rp
#
# What happens to a VM with an assigned device when its DMA cannot be
# carried across the kexec (the setup of scenarios/demo.sh): the new
# QEMU's incoming load fails with a clear error, no DMA lands anywhere,
# there is no splat, and the guest's RAM is intact on pkern for a cold
# restart.  Three kernels:
#   0  VM running, saved; kexec into a kernel not told the handoff record
#   1  the old kernel kept nothing and stopped edu; resume refused.  A
#      new VM is saved, one of its kept mappings pointed at RAM (the
#      provider lying that it is guest memory, so the old kernel keeps
#      it), kexec told the record
#   2  the new kernel rejects the kept translation and blocks edu's DMA;
#      resume refused
. "$VM_TOP/tests/harness/lib.sh"
# shellcheck source=tests/iommu/lib.sh
. "$VM_TOP/tests/iommu/lib.sh"
# shellcheck source=tests/liveupdate/device-lib.sh
. "$VM_TOP/tests/liveupdate/device-lib.sh"

LEAF_IOVA=0x400000	# a 2 MiB leaf of the guest's pattern

lu() {
	"$LU" --backend pkern --region pkern0 --name "$VMNAME" --vfio "$BDF" \
		--dir /tmp/lu-refused --timeout 600 "$@"
}

# start_and_save: a fresh VM with edu, paused and saved, and the sha of
# its RAM
start_and_save() {
	must "bind edu to pkern-vfio-pci" bind_pkvfio
	must "start the VM" lu --mem "$VMMEM" start
	must "save the VM" lu save
	save ram_sha "$(ram_sha)"
}

# resume_refused: the new QEMU's load fails for the unadopted device,
# saying so; the guest's RAM is as it was saved
resume_refused() {
	must "bind edu to pkern-vfio-pci" bind_pkvfio
	must_fail "resume the VM" lu restore
	case $MUST_OUT in
	*"loading the saved state failed: load of migration failed: Link has been severed; the kernel log says why it refused device $BDF"*) ;;
	*) fail "the failed restore did not say why: $(printf '%s' "$MUST_OUT" | tail -n 1)" ;;
	esac
	log "restore refused: $(printf '%s' "$MUST_OUT" | tail -n 1)"
	dmesg | grep -q "$BDF: resume refused: the previous kernel's DMA translation of the device was not kept and adopted" ||
		fail "the resume was not refused for the unadopted translation: $(dmesg | grep "$BDF" | tail -n 2)"
	[ "$(ram_sha)" = "$(get ram_sha)" ] ||
		fail "the guest's RAM changed although the VM was never resumed"
	log "guest RAM intact on $(ns_dev "$VMNAME") for a cold restart"
	no_splat
}

case $PH in
0)
	must "load the pkern modules" load_stack "$PLAIN_KO"
	pk init-labels -r pkern0 >/dev/null || exit 1
	pk create-namespace -r pkern0 -n "$POOL" -s 4M -t iommu -a 4K >/dev/null || exit 1
	start_and_save
	no_splat
	kexec_load "$KERNEL"
	kexec_now
	;;
1)
	old_kernel_kept_nothing "is not loaded by kexec_file_load with intel_iommu_handoff= naming the record" \
		"a next kernel not told the record"
	must "load the pkern modules" load_stack "${KOS[2]}"
	dma_stopped "$BDF"
	resume_refused
	must "remove the VM" lu cleanup
	save handoff "$(ns_field "$POOL" handoff_addr)"
	start_and_save
	lie_guest 0 0x200000
	must "point kept IOVA $LEAF_IOVA at RAM" \
		"$EDU" --corrupt-held leaf-ram --device "$BDF" --iova "$LEAF_IOVA"
	kexec_holding
	;;
2)
	new_kernel_rejected "guest memory outside persistent memory" "a kept mapping of RAM"
	must "load the pkern modules" load_stack "$PLAIN_KO"
	blackout_dma 0 --expect-fault >>"$OUT/log" 2>&1 ||
		fail "DMA through the rejected translation landed"
	log "edu DMA through the rejected translation faulted; nothing landed"
	resume_refused
	must "remove the VM" lu cleanup
	pass
	;;
*) fail "no kernel $PH in this scenario" ;;
esac
