# SPDX-License-Identifier: GPL-2.0-only
#
# The kernels of scenarios/iommu-trust.sh: what the old kernel may trust
# about the next one.  Each step is a function, so a phase is one check
# and one kexec.
# shellcheck shell=bash

# trust_hold_and_kexec [KEY=VALUE...]: hold a domain of edu 1 mapping vm1
# at X (its group bound to the pool) and kexec with it held, told the
# right record address and the KEY= words given
trust_hold_and_kexec() {
	local e1 g1 dax
	read -r e1 g1 < <(get edu1)
	dax=$(ns_dev vm1) || exit 1
	must "bind group $g1 to $POOL" \
		sh -c "echo $POOL >/sys/kernel/iommu_groups/$g1/pgtable_pool"
	bind_vfio "$e1"
	pool_args
	hold_domain "$OUT/hold.$PH.log" --group "$g1" --device "$e1" \
		--dax "$dax" --iova "$X" --size "$MAP_SIZE" "${POOL_ARGS[@]}"
	kexec_holding "$@"
}

# trust_setup: cold boot: the pool, the edu devices
trust_setup() {
	[ -x "$EDU" ] || fail "$EDU not built (make)"
	load_iommu_stack
	make_pool
	find_edus
}

# trust_not_kept WHY: the old kernel kept nothing because the next
# kernel's command line WHY, and stopped the device's DMA; this kernel
# found no kept translation and edu 1 has bus mastering off
trust_not_kept() {
	local e1
	read -r e1 _ < <(get edu1)
	old_kernel_kept_nothing "the next kernel $1.*translation not kept" \
		"a next kernel whose command line $1"
	found_nothing_kept
	log "old kernel: the next kernel $1; translation not kept"
	load_iommu_stack
	dma_stopped "$e1"
	no_splat
}

# trust_record_outside: the record the old kernel kept lies outside this
# kernel's (smaller) persistent memory: refused before it was mapped, so
# nothing of this kernel's RAM was read as a record or written
trust_record_outside() {
	old_kernel_said "keeping translation of 1 device(s) across kexec" ||
		fail "the previous kernel did not keep edu's translation"
	new_kernel_rejected "record outside persistent memory" \
		"a record outside persistent memory"
	no_splat
}

# trust_hold_and_kexec_stock [KEY=VALUE...]: as trust_hold_and_kexec, into Debian's
# stock kernel (no adopt code, so no "KHOF" flag in its kernel_info) with
# its own initramfs; it comes back to the patched kernel by itself
trust_hold_and_kexec_stock() {
	local stock kver initrd
	stock=$(find /boot -maxdepth 1 -name 'vmlinuz-6.12.*-amd64' | sort -V | tail -n 1)
	[ -n "$stock" ] || fail "no /boot/vmlinuz-6.12.*-amd64 (make deps)"
	kver=${stock#/boot/vmlinuz-}
	initrd=$VM_B/vm/initramfs-$kver.cpio.gz
	[ -f "$initrd" ] || fail "$initrd missing; run 'make vm'"
	[ -f "$KO" ] || fail "$KO not built (make)"
	KERNEL=$stock VM_INITRD=$initrd trust_hold_and_kexec "$@"
}

# trust_stock_not_kept: on the stock kernel: the old kernel kept nothing
# for an image that does not adopt, and stopped edu 1's DMA; then back
# to the patched kernel
trust_stock_not_kept() {
	local e1
	read -r e1 _ < <(get edu1)
	old_kernel_kept_nothing "the next kernel is an image that does not adopt kept VT-d translation.*translation not kept" \
		"a stock kernel as the next one"
	log "old kernel: the next kernel is an image that does not adopt kept VT-d translation"
	load_pkern
	dma_stopped "$e1"
	no_splat
	kexec_load "$KERNEL"
	touch "$OUT/.kexec"
}
