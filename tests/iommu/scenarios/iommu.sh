#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=3G memmap=1G!4G timeout=900 kernel=patched iommu=edu2
#
# IOMMU page tables in a pkern pool (issue 6), and DMA translation that
# survives kexec (issue 7), on the patched kernel (make kernel
# kernel-modules) with QEMU's intel-iommu and two edu devices: the
# header's kernel=/iommu= keys ask the runner for build/kernel/obj's
# bzImage, an initramfs without 9p modules (built in), "-device
# intel-iommu,intremap=off" after -machine, two "-device edu" and
# "intel_iommu=on iommu=nopt".  Every kexec passes
# intel_iommu_handoff=<the pool's handoff_addr from pkdaxctl list>.
#
# Phase 0: an iommu namespace bound to edu #1's group holds every VT-d
# table of its VFIO domain (checked against the debugfs dump and the pool
# count), edu DMA through a guest namespace is byte-exact, teardown gives
# every page back; edu #2's domain uses ordinary pages; binding is refused
# while VFIO owns the group.  Then edu #1's domain maps guest memory at
# IOVA 0x200000 and stays assigned across kexec (1, 2).
# Phase 1: the new kernel adopted the kept translation (and says how long
# nobody managed it); before any driver or mapping, edu DMA through IOVA
# 0x200000 lands in the same namespace pages (3); the pool holds the
# domain's tables, unchanged, plus the kept root and context table.  A
# new VMM attaches, adopts the domain (DMA still lands when its group
# joins the container and when the domain is attached, before it maps
# anything), maps 0x200000 again, unmaps it
# (DMA through it is then refused), maps 0x600000 and DMAs through it;
# the pool then holds exactly the domain's tables, and none after (4).
# Phases 1-3 end by holding a new domain across kexec with its tables
# corrupted (vfio_edu --corrupt): its leaf for 0x200000 maps physical 0,
# i.e. memory of the next kernel; its root entry points at a "table" in
# RAM; its leaf maps the pool itself.
# Phases 2-4: that kernel refused the kept translation, saying why, and
# blocked DMA: edu DMA through 0x200000 lands nowhere, VT-d reports the
# fault, no splat (5).  Phase 4 then kexecs a held domain with the wrong
# intel_iommu_handoff= address; phase 5: the old kernel refused to keep
# translation for a kernel that would not find it and stopped the
# device's DMA (bus mastering off), as it did before this series.
. "$VM_TOP/tests/harness/lib.sh"

KOBJ=$VM_B/kernel/obj
KOS="$KOBJ/drivers/dax/device_dax.ko $VM_B/kernel/dax_pkern/dax_pkern.ko
     $VM_B/kernel/pkern_iommu/pkern_iommu.ko"
EDU=$VM_B/iommu/vfio_edu
EDU_DMA=$VM_B/iommu/edu_dma
POOL=vm1-pt
X=0x200000 Y=0x600000

load_iommu_stack() {
	local k
	for k in $KOS; do
		[ -f "$k" ] || fail "$k not built; run 'make kernel kernel-modules'"
		must "insmod $(basename "$k")" insmod "$k"
	done
	wait_for /sys/class/pkern/pkern0/state 10 ||
		fail "/sys/class/pkern/pkern0 never appeared"
	mountpoint -q /sys/kernel/debug ||
		must "mount debugfs" mount -t debugfs none /sys/kernel/debug
}

# edu BDFs, and their IOMMU groups
edus() {
	grep -l 0x11e8 /sys/bus/pci/devices/*/device |
		xargs -n1 dirname | xargs -n1 basename
}
group_of() { basename "$(readlink "/sys/bus/pci/devices/$1/iommu_group")"; }

bind_vfio() {
	# intremap=off gives no MSI isolation, which type1 refuses unless told
	echo 1 >/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts
	echo 1234 11e8 >/sys/bus/pci/drivers/vfio-pci/new_id 2>/dev/null
	wait_for "/dev/vfio/$(group_of "$1")" 10 ||
		fail "edu $1 did not get /dev/vfio/$(group_of "$1")"
}

pool_in_use() {
	awk -v n="$POOL" '$1 == n { print $2 }' /sys/kernel/debug/pkern_iommu/pools
}

# load this same (patched) kernel for the next phase, told where the
# pool's handoff record is (pkdaxctl list: handoff_addr)
kexec_load_patched() {
	local cmd="" w
	for w in $(cat /proc/cmdline); do
		case $w in
		pkern.phase=*) w=pkern.phase=$((PH + 1)) ;;
		intel_iommu_handoff=*) continue ;;
		esac
		cmd="$cmd $w"
	done
	cmd="$cmd intel_iommu_handoff=${HANDOFF:-$(get handoff)}"
	must "kexec load" kexec -s -l "$KOBJ/arch/x86/boot/bzImage" \
		--initrd="$VM_INITRD" --append="${cmd# }"
}

# hold_domain LOG ARGS...: vfio_edu --hold in the background, as a paused
# VMM would keep its domain, until it says it holds
hold_domain() {
	local out=$1 i
	shift
	"$EDU" "$@" --hold >"$out" 2>&1 &
	for i in $(seq 100); do
		grep -q holding "$out" && break
		kill -0 $! 2>/dev/null || break
		sleep 0.2
	done
	cat "$out" >>"$OUT/log"
	grep -q holding "$out" || fail "holding domain: $(tail -n 1 "$out")"
}

# kexec right here, with the domain live as a paused VMM's would be: the
# harness's usual path (init kills every process, then kexec) would free
# the domain and give its tables back first.
kexec_holding() {
	no_splat
	kexec_load_patched
	dmesg >"$OUT/dmesg.$PH.txt"
	"$VMM" clock >"$OUT/kexec.$PH.tsc" 2>/dev/null
	sync
	kexec -e
	fail "kexec -e returned"
}

# corrupt_and_kexec WHAT: hold a fresh domain mapping vm1 at X, damage
# its tables (vfio_edu --corrupt WHAT), kexec with it held; WHAT
# wrong-addr damages nothing but names the wrong handoff address
corrupt_and_kexec() {
	local pphys size damage="--corrupt $1"
	read -r pphys size < <(get pool)
	if [ "$1" = wrong-addr ]; then
		damage= HANDOFF=$(printf '0x%x' $(($(get handoff) + 0x800)))
	fi
	hold_domain "$OUT/hold.$PH.log" --group "$g1" --device "$e1" \
		--dax "$dax" --iova $X --size 2M --pool $POOL --pool-phys "$pphys" \
		--pool-size "$size" $damage
	kexec_holding
}

# old_kernel_said MSG: the previous kernel's console (the host's serial
# log, visible through 9p) has MSG after the last kexec
old_kernel_said() {
	tac "$OUT/serial.log" | sed -n "/pkern.phase=$PH /,/Starting new kernel/p" |
		grep -q "$1"
}

case $PH in
0)
	[ -x "$EDU" ] || fail "$EDU not built (make)"
	load_iommu_stack
	pk init-labels -r pkern0 >/dev/null || exit 1
	pk create-namespace -r pkern0 -n vm1 -s 64M -t guest -a 2M >/dev/null || exit 1
	pk create-namespace -r pkern0 -n $POOL -s 4M -t iommu -a 4K >/dev/null || exit 1
	dax=$(ns_dev vm1) || exit 1
	base=$(cat /sys/class/pkern/pkern0/phys_addr)
	off=$(ns_field $POOL offset)
	size=$(ns_field $POOL size)
	[ -n "$off" ] && [ -n "$size" ] || fail "no offset/size for $POOL in pkdaxctl list"
	pphys=$(printf '0x%x' $((base + off)))
	save pool "$pphys $size"
	handoff=$(ns_field $POOL handoff_addr)
	[ -n "$handoff" ] && [ $((handoff)) -eq $((pphys + 0x800)) ] ||
		fail "pkdaxctl list: $POOL handoff_addr '$handoff', expected 0x800 into the pool"
	save handoff "$(printf '0x%x' "$handoff")"
	log "pool $POOL at $pphys, $size bytes; guest memory $dax"

	set -- $(edus)
	[ $# -eq 2 ] || fail "expected two edu devices, found $#"
	e1=$1 e2=$2 g1=$(group_of "$1") g2=$(group_of "$2")
	[ "$g1" != "$g2" ] || fail "both edu devices are in group $g1"
	save edu1 "$e1 $g1"
	attr=/sys/kernel/iommu_groups/$g1/pgtable_pool

	# binding: unknown pool refused, then bound and visible
	# bash, not sh: dash reports every failed write as "I/O error"
	must_fail "bind to a pool that does not exist" \
		bash -c "echo no-such-pool >$attr"
	case $MUST_OUT in *"No such file"*) ;; *) fail "binding an unknown pool: '$MUST_OUT', expected ENOENT" ;; esac
	must "bind group $g1 to $POOL" sh -c "echo $POOL >$attr"
	[ "$(cat "$attr")" = $POOL ] || fail "$attr reads '$(cat "$attr")'"
	[ "$(pool_in_use)" = 0 ] || fail "fresh pool has $(pool_in_use) pages in use"

	bind_vfio "$e1"
	bind_vfio "$e2"
	common="--dax $dax --iova 0x200000 --size 2M --pool $POOL --pool-phys $pphys --pool-size $size"
	must "edu DMA with page tables in $POOL" \
		"$EDU" --group "$g1" --device "$e1" $common
	must "edu DMA with ordinary page tables" \
		"$EDU" --group "$g2" --device "$e2" --ordinary \
		--iova 0x200000 --size 2M --pool $POOL --pool-phys $pphys --pool-size $size
	[ "$(pool_in_use)" = 0 ] || fail "after teardown $(pool_in_use) pool pages in use"

	# 1: a persistent domain maps vm1 at X and stays assigned (2: kexec)
	hold_domain "$OUT/hold.log" --group "$g1" --device "$e1" \
		--dax $dax --iova $X --size 2M --pool $POOL --pool-phys $pphys \
		--pool-size $size --tables "$STATE/tables"
	must_fail "rebinding while VFIO owns the group" bash -c "echo >$attr"
	case $MUST_OUT in *[Bb]usy*) ;; *) fail "rebinding while owned: '$MUST_OUT', expected EBUSY" ;; esac
	save in_use "$(pool_in_use)"
	log "holding: $(get in_use) pool pages in use, tables $(wc -l <"$STATE/tables")"
	kexec_holding
	;;
1)
	read -r e1 g1 < <(get edu1)
	read -r pphys size < <(get pool)
	old_kernel_said "keeping translation of 1 device(s) across kexec" ||
		fail "the previous kernel did not log that it kept edu $e1's translation"
	adopt=$(dmesg | grep -o 'adopted the translation of .* unmanaged for [0-9]* us') ||
		fail "VT-d did not adopt the kept translation: $(dmesg | grep -E 'DMAR: .*(kept|Translation|handoff)' | tail -n 2)"
	log "VT-d: $adopt"
	save unmanaged_us "${adopt##*unmanaged for }"
	load_iommu_stack
	dax=$(ns_dev vm1) || exit 1

	# 3: no driver and no mapping yet, DMA still lands in vm1
	must "edu DMA through kept IOVA $X before any new mapping" \
		"$EDU_DMA" --device "$e1" --iova $X --dax "$dax" --from 0x4000 --to 0x6000
	attr=/sys/kernel/iommu_groups/$g1/pgtable_pool
	must "bind group $g1 to $POOL after kexec" sh -c "echo $POOL >$attr"
	[ "$(pool_in_use)" = "$(($(get in_use) + 2))" ] ||
		fail "after kexec $POOL has $(pool_in_use) pages in use, expected the domain's $(get in_use) + kept root and context table"
	must "page tables unchanged across kexec" "$EDU" --tables-check "$STATE/tables"
	log "after kexec: $(pool_in_use) pool pages in use, domain tables identical"

	# 4: a new VMM adopts the kept domain, unmaps X, maps Y
	bind_vfio "$e1"
	must "new VMM adopts the kept domain, unmaps $X, maps $Y" \
		"$EDU" --group "$g1" --device "$e1" --dax "$dax" --iova $X \
		--size 2M --pool $POOL --pool-phys $pphys --pool-size $size \
		--adopt --remap $Y --between "$EDU_DMA --device $e1 --iova $X --dax $dax --from 0x8000 --to 0xa000"
	dmesg | grep -q "domain adopts the page tables kept by the previous kernel" ||
		fail "vfio_edu passed, but VT-d never logged the adoption"
	dmesg | grep -qE "DMAR: \[DMA (Read|Write).*fault addr 0x20[0-9a-f]{4} " ||
		fail "no DMAR fault logged for the DMA through unmapped $X"
	[ "$(pool_in_use)" = 0 ] ||
		fail "after the adopted domain's teardown $(pool_in_use) pool pages in use"
	no_splat

	# 5: kept translations the next kernels must refuse, one per phase
	corrupt_and_kexec leaf-ram
	;;
2 | 3 | 4)
	read -r e1 g1 < <(get edu1)
	case $PH in
	2) why="mapping outside persistent memory" next=table-ram ;;
	3) why="page table outside the pool" next=leaf-pool ;;
	4) why="mapping of the pool itself" next=wrong-addr ;;
	esac
	dmesg | grep -q "translation kept by the previous kernel rejected: $why" ||
		fail "corrupt kept translation not refused for '$why': $(dmesg | grep -E 'DMAR: .*(kept|adopted|Translation)' | tail -n 2)"
	dmesg | grep -q "adopted the translation" && fail "corrupt kept translation was adopted"
	log "VT-d: $(dmesg | grep -o 'translation kept by the previous kernel rejected: [^;]*')"
	load_iommu_stack
	dax=$(ns_dev vm1) || exit 1
	must "edu DMA through the refused translation lands nowhere" \
		"$EDU_DMA" --device "$e1" --iova $X --dax "$dax" --from 0x4000 --to 0x6000 --expect-fault
	dmesg | grep -qE "DMAR: \[DMA (Read|Write).*fault addr 0x20[0-9a-f]{4} " ||
		fail "no DMAR fault logged for the DMA through $X"
	no_splat
	if [ -z "$next" ]; then
		pass
		exit 0
	fi
	must "bind group $g1 to $POOL" \
		sh -c "echo $POOL >/sys/kernel/iommu_groups/$g1/pgtable_pool"
	bind_vfio "$e1"
	corrupt_and_kexec $next
	;;
5)
	# the next kernel was told the wrong record address: the old one did
	# not keep anything and stopped the device, as without this series
	read -r e1 g1 < <(get edu1)
	old_kernel_said "not loaded by kexec_file_load with intel_iommu_handoff=.*translation not kept" ||
		fail "the previous kernel kept translation for a next kernel told the wrong address"
	old_kernel_said "translation not kept across kexec; stopping its DMA" ||
		fail "the previous kernel did not stop edu $e1's DMA"
	dmesg | grep -qE "adopted the translation|translation kept by the previous kernel" &&
		fail "this kernel found kept translation: $(dmesg | grep -E 'DMAR: .*kept' | tail -n 1)"
	load_iommu_stack
	dax=$(ns_dev vm1) || exit 1
	must_fail "edu DMA with bus mastering off" \
		"$EDU_DMA" --device "$e1" --iova $X --dax "$dax" --from 0x4000 --to 0x6000
	case $MUST_OUT in *"bus mastering off"*) ;; *) fail "edu after an unkept kexec: '$MUST_OUT', expected bus mastering off" ;; esac
	no_splat
	pass
	;;
esac
