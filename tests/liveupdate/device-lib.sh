# SPDX-License-Identifier: GPL-2.0-only
#
# What the live-update scenarios with an assigned device share, sourced
# after the harness's lib.sh and tests/iommu/lib.sh: the VM, edu's place
# in it, the steps that assign edu through pkern-vfio-pci, DMA into the
# paused guest, and the outer QEMU's log of config writes (iommu=edu-rp)
# that tells what the device saw.
# shellcheck shell=bash
# shellcheck disable=SC2034	# the scenarios use what is named here

export PKLU_BINDIR=$VM_B/liveupdate PKDAXCTL=$VM_B/pkdaxctl
LU=$VM_TOP/tools/liveupdate/pkern-live-update.sh
VMNAME=vm1
VMMEM=${DEMO_MEM:-32}	# MiB; nested TCG fills and checksums it slowly
CFG_LOG=$OUT/l0-pci-cfg.log
# tools/liveupdate/tinyguest.c: the block edu copies into the mailbox
# slots the guest checks; its pattern fills RAM from 2 MiB on
BSRC=0x1c0000 SLOT0=0x1c1000 PATTERN=0x200000
MARK_OFF=0xf8		# an unused config dword of edu: marks the log
VM_MARK=0x504b0000 START_MARK=0x504b0001 END_MARK=0x504b0002

BDF=$(edus)
[ "$(wc -w <<<"$BDF")" -eq 1 ] || fail "expected one edu device, found '$BDF'"

# load_stack KO: device_dax, dax_pkern and provider KO (PLAIN_KO, or the
# test build ${KOS[2]} for poke and guest_extra)
load_stack() {
	local k
	for k in "${KOS[0]}" "${KOS[1]}" "$1"; do
		[ -f "$k" ] || fail "$k not built; run 'make kernel kernel-modules'"
		insmod "$k" || return 1
	done
	wait_for /sys/class/pkern/pkern0/state 10 || return 1
	mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
}

# bind_pkvfio: the pool for edu's group, and pkern-vfio-pci for edu
bind_pkvfio() {
	echo 1 >/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts
	# the same for iommufd, without interrupt remapping on this VT-d
	[ ! -e /sys/module/iommufd/parameters/allow_unsafe_interrupts ] ||
		echo 1 >/sys/module/iommufd/parameters/allow_unsafe_interrupts
	echo "$POOL" >"/sys/kernel/iommu_groups/$(group_of "$BDF")/pgtable_pool" ||
		return 1
	echo pkern_vfio_pci >"/sys/bus/pci/devices/$BDF/driver_override"
	echo "$BDF" >/sys/bus/pci/drivers_probe
	[ "$(basename "$(readlink "/sys/bus/pci/devices/$BDF/driver")")" = pkern_vfio_pci ]
}

# blackout_dma SLOT [--expect-fault]: edu copies the guest's block into
# mailbox SLOT through the device's translation (guest physical = IOVA)
blackout_dma() {
	"$EDU_DMA" --device "$BDF" --iova 0 --dax "$(ns_dev "$VMNAME")" \
		--from "$BSRC" --to "$(printf '0x%x' $((SLOT0 + $1 * 0x1000)))" "${@:2}"
}

# ram_sha: sha256 of the guest's pattern, which no DMA writes
ram_sha() {
	python3 -c 'import hashlib, mmap, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
m = mmap.mmap(fd, int(sys.argv[2]), mmap.MAP_SHARED, mmap.PROT_READ)
print(hashlib.sha256(m[int(sys.argv[3], 0):]).hexdigest())' \
		"$(ns_dev "$VMNAME")" $((VMMEM << 20)) "$PATTERN"
}

# mark VALUE: a config write the outer QEMU logs, once it is in the log
# (read through 9p)
mark() {
	perl -e 'print pack("V", hex($ARGV[0]))' "$1" |
		dd of="/sys/bus/pci/devices/$BDF/config" bs=4 seek=$((MARK_OFF / 4)) \
			conv=notrunc status=none || return 1
	for _ in $(seq 100); do
		grep -q "@$MARK_OFF <- $1\$" "$CFG_LOG" && return 0
		sleep 0.1
	done
	return 1
}

# stops_in SED-RANGE: config writes in that range of the log that
# cleared Bus Master of edu or of its root port, or set the port's
# Secondary Bus Reset: edu has no FLR or PM capability, so these are all
# its resets
stops_in() {
	local n=0 dev off val
	while read -r _ dev _ off _ val; do
		case $dev:$off in
		edu:@0x4 | pcie-root-port:@0x4) ((val & 4)) || n=$((n + 1)) ;;
		pcie-root-port:@0x3e) ((!(val & 0x40))) || n=$((n + 1)) ;;
		esac
	done < <(sed -n "$1p" "$CFG_LOG")
	echo "$n"
}

# stops_between A B: such writes between marks A and B
stops_between() {
	stops_in "/@$MARK_OFF <- $1\$/,/@$MARK_OFF <- $2\$/"
}


# old_kernel_dropped: how many mappings the previous kernel dropped from
# edu's kept translation (memory that does not survive kexec)
old_kernel_dropped() {
	tac "$OUT/serial.log" | sed -n "/pkern.phase=$PH /,/Starting new kernel/p" |
		sed -n 's/.*dropped \([0-9]*\) mapping(s) of memory that does not survive kexec.*/\1/p' |
		head -n 1
}

# old_kernel_shutdown_ms: the previous kernel's kexec shutdown (device
# shutdown, keeping the translation), from kexec -e to "Starting new
# kernel", in its log's clock
old_kernel_shutdown_ms() {
	tac "$OUT/serial.log" | sed -n "/pkern.phase=$PH /,/pkern-harness: kexec -e/p" |
		sed -n 's/^\[ *\([0-9.]*\)\] \(.*pkern-harness: kexec -e\|kexec_core: Starting new kernel\).*/\1/p' |
		awk 'NR == 1 { last = $1 } END { printf "%d\n", (last - $1) * 1000 }'
}
