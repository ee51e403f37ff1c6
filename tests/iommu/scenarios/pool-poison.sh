#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=3G memmap=1G!4G timeout=900 kernel=patched iommu=edu2 hmp=on cpu=max,-erms,-fsrm,vendor=GenuineIntel
#
# Memory errors in the page-table pool, raised as machine checks with
# QEMU's HMP mce (tests/driver/poison-lib.sh): pool pages have no
# struct page, so only dax_pkern's machine-check hook sees them.
#   0  the pool is bound to edu 1's group:
#      - an error in a free page: recorded, taken out of the pool
#      - an error in a table of a live domain: recorded; when the domain
#        is torn down the page stays out of the pool
#      - a new domain held across kexec gets none of those pages; an
#        error in one of its tables, then kexec with it held
#   1  the old kernel refused to keep that domain (it does not read a
#      table on a poisoned page) and stopped edu's DMA; the three pages
#      are still recorded, the pool opens with them out of circulation,
#      and a new domain gets none of them.  Then an error in the pool's
#      allocation bitmap: the pool hands out nothing more
#   2  a pool whose bitmap page is recorded is not opened at all
# shellcheck source=tests/harness/lib.sh
. "$VM_TOP/tests/harness/lib.sh"
# shellcheck source=tests/iommu/lib.sh
. "$VM_TOP/tests/iommu/lib.sh"
# shellcheck source=tests/driver/poison-lib.sh
. "$VM_TOP/tests/driver/poison-lib.sh"

# pool_bad: the pool's pages with a memory error, as pkern_iommu counts them
pool_bad() {
	awk -v n="$POOL" '$1 == n { print $4 }' "$DBG_DIR/pools"
}

# poison_table TABLES N: inject a machine check at the last table listed
# in TABLES (vfio_edu --tables: a leaf table), expect N recorded pages,
# and remember the page as bad.N
poison_table() {
	local phys
	phys=$(tail -n 1 "$1" | cut -d' ' -f1)
	[ -n "$phys" ] || fail "$1 lists no table"
	inject_mce "$phys"
	wait_recorded "$2"
	save "bad.$2" "$phys"
}

# no_bad_tables TABLES: none of the recorded pages is a table of TABLES
no_bad_tables() {
	local n phys
	for n in 1 2 3; do
		phys=$(get "bad.$n")
		[ -z "$phys" ] && continue
		if grep -q "^$phys " "$1"; then
			fail "a new domain got the page with a memory error at $phys"
		fi
	done
}

# stop_holder: tear the held domain down (its VFIO files close)
stop_holder() {
	pkill -f "vfio_edu.*--hold" || fail "no held domain to stop"
	for _ in $(seq 100); do
		pgrep -f "vfio_edu.*--hold" >/dev/null || return 0
		sleep 0.1
	done
	fail "the held domain did not go away"
}

case $PH in
0)
	[ -x "$EDU" ] || fail "$EDU not built (make)"
	load_iommu_stack
	make_pool
	dax=$(ns_dev vm1) || exit 1
	find_edus
	must "bind group $g1 to $POOL" \
		sh -c "echo $POOL >/sys/kernel/iommu_groups/$g1/pgtable_pool"
	bind_vfio "$e1"
	read -r pphys size < <(get pool)

	# a free page: out of the pool at once
	free=$(printf '0x%x' $((pphys + size - 4096)))
	inject_mce "$free"
	wait_recorded 1
	save bad.1 "$free"
	[ "$(pool_in_use) $(pool_bad)" = "1 1" ] ||
		fail "after an error in free page $free the pool has $(pool_in_use) in use, $(pool_bad) bad; expected 1 1"
	dmesg | grep -q "pool $POOL: free page at offset $(printf '%#x' $((size - 4096))) retired" ||
		fail "no 'free page retired' line: $(dmesg | grep "pool $POOL" | tail -n 1)"
	log "free pool page $free: recorded and retired"
	# the same page again: nothing new recorded, nothing more said
	logged=$(dmesg | grep -c 'Machine check events logged')
	inject_mce "$free"
	for _ in $(seq 100); do
		[ "$(dmesg | grep -c 'Machine check events logged')" -gt "$logged" ] && break
		sleep 0.1
	done
	# the decode chain's work, then pkern's, run right after the log line
	sleep 2
	[ "$(bad_count) $(pool_in_use) $(pool_bad)" = "1 1 1" ] ||
		fail "a second error in $free: $(bad_count) recorded, pool $(pool_in_use) in use, $(pool_bad) bad; expected 1 1 1"
	n=$(dmesg | grep -c "pool $POOL: .* at offset $(printf '%#x' $((size - 4096)))")
	[ "$n" = 1 ] || fail "a second error in $free was reported again ($n lines)"

	# a table of a live domain: out of the pool once the domain frees it
	hold_domain "$OUT/hold.a.log" --group "$g1" --device "$e1" --dax "$dax" \
		--iova "$X" --size "$MAP_SIZE" "${POOL_ARGS[@]}" --tables "$STATE/tables.a"
	poison_table "$STATE/tables.a" 2
	dmesg | grep -q "pool $POOL: page at offset .* is in use: it stays out of the pool when freed" ||
		fail "no 'in use: stays out' line: $(dmesg | grep "pool $POOL" | tail -n 1)"
	stop_holder
	[ "$(pool_in_use) $(pool_bad)" = "2 2" ] ||
		fail "after the domain went away the pool has $(pool_in_use) in use, $(pool_bad) bad; expected 2 2 (the two bad pages)"
	log "table $(get bad.2) of a live domain: recorded, kept out of the pool when freed"

	# a domain held across kexec, with an error in one of its tables
	hold_domain "$OUT/hold.b.log" --group "$g1" --device "$e1" --dax "$dax" \
		--iova "$X" --size "$MAP_SIZE" "${POOL_ARGS[@]}" --tables "$STATE/tables.b"
	no_bad_tables "$STATE/tables.b"
	poison_table "$STATE/tables.b" 3
	[ "$(pool_bad)" = 3 ] || fail "the pool counts $(pool_bad) bad pages, expected 3"
	no_splat
	kexec_holding
	;;
1)
	read -r e1 g1 < <(get edu1)
	old_kernel_kept_nothing "cannot keep its translation across kexec: page table on a page with a memory error" \
		"a domain with a table on a poisoned page"
	found_nothing_kept
	log "old kernel: cannot keep its translation across kexec: page table on a page with a memory error"
	load_iommu_stack
	dma_stopped "$e1"
	[ "$(bad_count)" = 3 ] || fail "after kexec $(bad_count) pages are recorded, expected 3"
	[ "$(ns_field "$POOL" badblock_count)" = 3 ] ||
		fail "pkdaxctl list: $POOL has badblock_count '$(ns_field "$POOL" badblock_count)', expected 3"
	must "bind group $g1 to $POOL" \
		sh -c "echo $POOL >/sys/kernel/iommu_groups/$g1/pgtable_pool"
	dmesg | grep -q "pool $POOL: 3 pages with a recorded memory error are never handed out" ||
		fail "the pool did not open with its recorded pages retired: $(dmesg | grep "pool $POOL" | tail -n 2)"
	[ "$(pool_bad)" = 3 ] || fail "the reopened pool counts $(pool_bad) bad pages, expected 3"
	bind_vfio "$e1"
	pool_args
	hold_domain "$OUT/hold.c.log" --group "$g1" --device "$e1" \
		--dax "$(ns_dev vm1)" --iova "$X" --size "$MAP_SIZE" \
		"${POOL_ARGS[@]}" --tables "$STATE/tables.c"
	no_bad_tables "$STATE/tables.c"
	log "after kexec: 3 pages recorded, out of the pool; a new domain's tables avoid them"
	stop_holder

	# the allocation bitmap: the pool's state is never touched again
	read -r pphys _ < <(get pool)
	inject_mce "$(printf '0x%x' $((pphys + 0x1000)))"
	wait_recorded 4
	dmesg | grep -q "pool $POOL: memory error in its header or allocation bitmap; no page is allocated or freed again" ||
		fail "no line for the error in the bitmap: $(dmesg | grep "pool $POOL" | tail -n 1)"
	must_fail "a new domain from a pool whose bitmap had a memory error" \
		"$EDU" "${EDU_BACKEND[@]}" --group "$g1" --device "$e1" \
		--dax "$(ns_dev vm1)" --iova "$X" --size "$MAP_SIZE" "${POOL_ARGS[@]}"
	log "bitmap page: recorded; the pool hands out nothing: $MUST_OUT"
	no_splat
	kexec_holding
	;;
2)
	read -r e1 g1 < <(get edu1)
	load_iommu_stack
	[ "$(bad_count)" = 4 ] || fail "after kexec $(bad_count) pages are recorded, expected 4"
	must_fail "bind group $g1 to a pool whose bitmap page is recorded" \
		bash -c "echo $POOL >/sys/kernel/iommu_groups/$g1/pgtable_pool"
	dmesg | grep -q "pool $POOL (slot [0-9]*): its allocation bitmap page at offset 0x1000 has a recorded memory error; the pool is not opened" ||
		fail "binding refused, but not for the bitmap: $MUST_OUT; $(dmesg | grep "pool $POOL" | tail -n 1)"
	log "a pool with a recorded bitmap page is not opened: $MUST_OUT"
	no_splat
	pass
	;;
*) fail "no kernel $PH in this scenario" ;;
esac
