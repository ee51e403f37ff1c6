# SPDX-License-Identifier: GPL-2.0-only
#
# What every kernel of the iommu scenario shares, sourced after the
# harness's lib.sh: the modules, the pool, the IOVAs and sizes the VMM
# maps, and the steps that bind, hold and kexec a domain.
# shellcheck shell=bash
# shellcheck disable=SC2034	# the phases use what is named here

IOMMU_DIR=$VM_TOP/tests/iommu
KOBJ=$VM_B/kernel/obj
KERNEL=$KOBJ/arch/x86/boot/bzImage
# The provider with the test-only debugfs files page and poke, which
# vfio_edu walks and damages tables with; PLAIN_KO is the normal build
KOS=("$KOBJ/drivers/dax/device_dax.ko" "$VM_B/kernel/dax_pkern/dax_pkern.ko"
     "$VM_B/kernel/pkern_iommu-faults/pkern_iommu.ko")
PLAIN_KO=$VM_B/kernel/pkern_iommu/pkern_iommu.ko
DBG_DIR=/sys/kernel/debug/pkern_iommu
EDU=$VM_B/iommu/vfio_edu
# IOMMU_BACKEND=iommufd (set by a scenario): vfio_edu drives VFIO through
# iommufd and the device's cdev instead of a type1 container
EDU_BACKEND=()
[ "${IOMMU_BACKEND:-type1}" = type1 ] || EDU_BACKEND=(--iommufd)
EDU_DMA=$VM_B/iommu/edu_dma

# The page-table pool: a 4 MiB iommu namespace next to guest memory vm1
POOL=vm1-pt
# The VMM maps 2 MiB of vm1 at X (kept across kexec), later at Y instead;
# the held domain also maps vm1's first 16 KiB at Z, in 4 KiB pages, which
# the new VMM does not map again
X=0x200000 Y=0x600000 Z=0x1000000 MAP_SIZE=2M
# VT-d's fault line for a DMA through X's 2 MiB
X_FAULT='DMAR: \[DMA (Read|Write).*fault addr 0x20[0-9a-f]{4} '

# pool_args: sets POOL_ARGS, vfio_edu's arguments naming the pool (where
# phase 0 found it)
pool_args() {
	local pphys size
	read -r pphys size < <(get pool)
	POOL_ARGS=(--pool "$POOL" --pool-phys "$pphys" --pool-size "$size")
}

load_iommu_stack() {
	local k
	for k in "${KOS[@]}"; do
		[ -f "$k" ] || fail "$k not built; run 'make kernel kernel-modules'"
		must "insmod $(basename "$k")" insmod "$k"
	done
	wait_for /sys/class/pkern/pkern0/state 10 ||
		fail "/sys/class/pkern/pkern0 never appeared"
	mountpoint -q /sys/kernel/debug ||
		must "mount debugfs" mount -t debugfs none /sys/kernel/debug
}

# check_plain_provider: with no pool open, swap the loaded provider for
# the normal build: it has the read-only pools file but none of the
# test-only files; then load the test build again
check_plain_provider() {
	local f
	[ -f "$PLAIN_KO" ] || fail "$PLAIN_KO not built; run 'make kernel-modules'"
	must "unload the test build of pkern_iommu" rmmod pkern_iommu
	must "insmod the normal build of pkern_iommu" insmod "$PLAIN_KO"
	[ -f "$DBG_DIR/pools" ] || fail "the normal pkern_iommu has no $DBG_DIR/pools"
	for f in page poke guest_extra; do
		[ ! -e "$DBG_DIR/$f" ] ||
			fail "the normal pkern_iommu has the test-only $DBG_DIR/$f"
	done
	log "the normal pkern_iommu has pools, none of page, poke, guest_extra"
	must "unload the normal build of pkern_iommu" rmmod pkern_iommu
	must "insmod the test build of pkern_iommu" insmod "${KOS[2]}"
}

# make_pool: on fresh labels, guest memory vm1 and the page-table pool
# next to it; saves where the pool and its handoff record are
make_pool() {
	local dax base off size pphys handoff
	pk init-labels -r pkern0 >/dev/null || exit 1
	pk create-namespace -r pkern0 -n vm1 -s 64M -t guest -a 2M >/dev/null || exit 1
	pk create-namespace -r pkern0 -n "$POOL" -s 4M -t iommu -a 4K >/dev/null || exit 1
	dax=$(ns_dev vm1) || exit 1
	base=$(cat /sys/class/pkern/pkern0/phys_addr)
	off=$(ns_field "$POOL" offset)
	size=$(ns_field "$POOL" size)
	if [ -z "$off" ] || [ -z "$size" ]; then
		fail "no offset/size for $POOL in pkdaxctl list"
	fi
	pphys=$(printf '0x%x' $((base + off)))
	save pool "$pphys $size"
	pool_args
	handoff=$(ns_field "$POOL" handoff_addr)
	if [ -z "$handoff" ] || [ $((handoff)) -ne $((pphys + 0x800)) ]; then
		fail "pkdaxctl list: $POOL handoff_addr '$handoff', expected 0x800 into the pool"
	fi
	save handoff "$(printf '0x%x' "$handoff")"
	log "pool $POOL at $pphys, $size bytes; guest memory $dax"
}

# edus: the edu devices' BDFs
edus() {
	grep -l 0x11e8 /sys/bus/pci/devices/*/device |
		xargs -n1 dirname | xargs -n1 basename
}
group_of() { basename "$(readlink "/sys/bus/pci/devices/$1/iommu_group")"; }

# find_edus: the two edu devices as e1 e2 and their groups as g1 g2,
# each in its own group, saved as edu1/edu2 for the next kernel
find_edus() {
	local devs
	mapfile -t devs < <(edus)
	[ ${#devs[@]} -eq 2 ] || fail "expected two edu devices, found ${#devs[@]}"
	e1=${devs[0]} e2=${devs[1]}
	g1=$(group_of "$e1") g2=$(group_of "$e2")
	[ "$g1" != "$g2" ] || fail "both edu devices are in group $g1"
	save edu1 "$e1 $g1"
	save edu2 "$e2 $g2"
}

bind_vfio() {
	# intremap=off gives no MSI isolation, which type1 refuses unless told
	echo 1 >/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts
	echo 1234 11e8 >/sys/bus/pci/drivers/vfio-pci/new_id 2>/dev/null
	wait_for "/dev/vfio/$(group_of "$1")" 10 ||
		fail "edu $1 did not get /dev/vfio/$(group_of "$1")"
}

pool_in_use() {
	awk -v n="$POOL" '$1 == n { print $2 }' "$DBG_DIR/pools"
}

# hold_domain LOG ARGS...: vfio_edu --hold in the background, as a paused
# VMM would keep its domain, until it says it holds
hold_domain() {
	local out=$1 _
	shift
	"$EDU" "${EDU_BACKEND[@]}" "$@" --hold >"$out" 2>&1 &
	for _ in $(seq 100); do
		grep -q holding "$out" && break
		kill -0 $! 2>/dev/null || break
		sleep 0.2
	done
	cat "$out" >>"$OUT/log"
	grep -q holding "$out" || fail "holding domain: $(tail -n 1 "$out")"
}

# kexec_holding [KEY=VALUE...]: kexec right here into this same (patched)
# kernel, told where the pool's handoff record is (HANDOFF, default
# pkdaxctl list's handoff_addr) and the KEY= words given, with the domain
# live as a paused VMM's would be: the harness's usual path (init kills
# every process, then kexec) would free the domain and give its tables
# back first.
# shellcheck disable=SC2120	# phases/trust.sh passes KEY= words
kexec_holding() {
	no_splat
	kexec_load "$KERNEL" "intel_iommu_handoff=${HANDOFF:-$(get handoff)}" "$@"
	kexec_now
}

# kexec_now: kexec -e into the loaded kernel right here, every process
# (a paused VMM, a held domain) still alive
kexec_now() {
	dmesg >"$OUT/dmesg.$PH.txt"
	"$VMM" clock >"$OUT/kexec.$PH.tsc" 2>/dev/null
	sync
	# where the kernel's own shutdown starts, in its log's clock
	echo "pkern-harness: kexec -e" >/dev/kmsg
	kexec -e
	fail "kexec -e returned"
}

# lie_guest START SIZE: the provider (test build) also reports
# START..+SIZE as guest memory, so the old kernel keeps a mapping there
# that its own check would refuse: the next kernel's checks must catch it
lie_guest() {
	must "provider reports $1+$2 as guest memory" \
		sh -c "echo $1 $2 >$DBG_DIR/guest_extra"
}

# corrupt_and_kexec WHAT GROUP DEVICE DAX: hold a fresh domain of edu
# DEVICE in GROUP mapping DAX (vm1) at X, damage its tables (vfio_edu
# --corrupt WHAT), kexec with it held; WHAT wrong-addr damages nothing
# but names the wrong handoff address.  The old kernel refuses to keep a
# leaf outside guest memory itself; for leaf-ram and leaf-pool the
# provider claims the leaf's 2 MiB as guest memory, so the next kernel
# gets them and must refuse them.
corrupt_and_kexec() {
	local damage=(--corrupt "$1") group=$2 device=$3 dax=$4 pphys
	case $1 in
	wrong-addr)
		damage=()
		HANDOFF=$(printf '0x%x' $(($(get handoff) + 0x800)))
		;;
	leaf-ram) lie_guest 0 0x200000 ;;
	leaf-pool)
		read -r pphys _ < <(get pool)
		lie_guest "$(printf '0x%x' $((pphys & ~0x1fffff)))" 0x200000
		;;
	esac
	pool_args
	hold_domain "$OUT/hold.$PH.log" --group "$group" --device "$device" \
		--dax "$dax" --iova "$X" --size "$MAP_SIZE" "${POOL_ARGS[@]}" "${damage[@]}"
	kexec_holding
}

# old_kernel_said MSG: the previous kernel's console (the host's serial
# log, visible through 9p) has MSG after the last kexec
old_kernel_said() {
	tac "$OUT/serial.log" | sed -n "/pkern.phase=$PH /,/Starting new kernel/p" |
		grep -q "$1"
}

# handoff_pages: how many pool pages the previous kernel built its
# handoff in (root and context tables; in scalable mode also a PASID
# directory and table per device), from its "keeping translation" line
handoff_pages() {
	tac "$OUT/serial.log" | sed -n "/pkern.phase=$PH /,/Starting new kernel/p" |
		grep -o 'keeping translation of .* \([0-9]*\) handoff page(s)' |
		sed 's/.* \([0-9]*\) handoff page(s)/\1/' | head -n 1
}

# old_kernel_kept_nothing WHY WHAT: the previous kernel logged WHY (a
# grep pattern) for keeping nothing and stopped the pool device's DMA;
# WHAT says what it refused, for the failure message
old_kernel_kept_nothing() {
	old_kernel_said "$1" ||
		fail "the previous kernel did not refuse $2: $(tac "$OUT/serial.log" |
			sed -n "/pkern.phase=$PH /,/Starting new kernel/p" | grep -E 'keep|kept|stopping its DMA' | tr '\n' ' ')"
	old_kernel_said "translation not kept across kexec; stopping its DMA" ||
		fail "the previous kernel did not stop the pool device's DMA"
}

# new_kernel_rejected WHY WHAT: this kernel refused the kept translation
# for WHY and adopted nothing; WHAT names it for the failure messages
new_kernel_rejected() {
	dmesg | grep -q "translation kept by the previous kernel rejected: $1" ||
		fail "$2 not refused for '$1': $(dmesg | grep -E 'DMAR: .*(kept|adopted|Translation)' | tail -n 2)"
	if dmesg | grep -q "adopted the translation"; then
		fail "$2 was adopted"
	fi
	log "VT-d: $(dmesg | grep -o 'translation kept by the previous kernel rejected: [^;]*')"
}

# found_nothing_kept: this (patched) kernel found no kept translation
found_nothing_kept() {
	if dmesg | grep -qE "adopted the translation|translation kept by the previous kernel"; then
		fail "this kernel found kept translation: $(dmesg | grep -E 'DMAR: .*kept' | tail -n 1)"
	fi
}

# dma_stopped BDF: edu BDF kept no bus mastering across the kexec
dma_stopped() {
	local dax
	dax=$(ns_dev vm1) || exit 1
	must_fail "edu DMA with bus mastering off" \
		"$EDU_DMA" --device "$1" --iova "$X" --dax "$dax" --from 0x4000 --to 0x6000
	case $MUST_OUT in *"bus mastering off"*) ;; *) fail "edu after a kexec that kept nothing: '$MUST_OUT', expected bus mastering off" ;; esac
}

# refused_while_kept: nothing in this kernel holds the pool or vm1, but a
# kept translation reaches both: destroying either, or formatting the
# region, must fail with EBUSY for that reason
refused_while_kept() {
	local ns
	for ns in "$POOL" vm1; do
		must_fail "destroy $ns while kept DMA reaches it" \
			"$PKDAXCTL" destroy-namespace -r pkern0 "$ns"
		dmesg | grep -q "namespace $ns (slot [0-9]*) is busy (reached by DMA translation kept across kexec)" ||
			fail "destroying $ns refused, but not for the kept translation: $(dmesg | grep 'is busy' | tail -n 1)"
	done
	must_fail "init-labels --force while kept DMA reaches the region" \
		"$PKDAXCTL" init-labels -r pkern0 --force
	dmesg | grep -q "pkern0: not formatted: reached by DMA translation kept across kexec" ||
		fail "init-labels --force refused, but not for the kept translation"
	log "kept DMA reaches $POOL and vm1: destroy and init-labels --force refused"
}
