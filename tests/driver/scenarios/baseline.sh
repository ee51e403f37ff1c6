#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=3G memmap=1G!4G timeout=300
#
# Stock path, no pkern: nd_e820 + ndctl devdax namespace on the legacy
# pmem range, filled, kexec, verified byte for byte at the same physical
# address.  Proves the harness and is the comparison point for pkern.
. "$VM_TOP/tests/harness/lib.sh"

stock_devdax_up() {
	# dax_pmem before nd_e820 so the namespace binds as devdax at once
	must "load stock pmem drivers" modprobe -a dax_pmem device_dax nd_pmem nd_e820
}

case $PH in
0)
	stock_devdax_up
	must "create devdax namespace" \
		ndctl create-namespace -f -e namespace0.0 -m devdax -a 2M
	wait_for /dev/dax0.0 || fail "/dev/dax0.0 did not appear"
	dax_snapshot "$STATE/daxctl.before"
	must "fill" "$VMM" fill /dev/dax0.0 0x5eed "$STATE/layout"
	must "libpmem view" "$VMM" pmemcheck /dev/dax0.0
	kexec_next
	;;
1)
	stock_devdax_up
	wait_for /dev/dax0.0 10 || fail "/dev/dax0.0 not back after kexec"
	ready_report /dev/dax0.0
	dax_snapshot "$STATE/daxctl.after"
	# "path" names libnvdimm's nd_dax instance (dax0.0 becomes dax0.1 when
	# re-probed); the rest (chardev, size, align, ids) must match
	for f in before after; do
		jq -S 'del(.. | .path?)' "$STATE/daxctl.$f" >"$STATE/daxctl.$f.cmp"
	done
	cmp -s "$STATE/daxctl.before.cmp" "$STATE/daxctl.after.cmp" ||
		fail "daxctl list differs after kexec: $(diff "$STATE/daxctl.before" "$STATE/daxctl.after" | head -n 4 | tr '\n' ' ')"
	must "verify" "$VMM" verify /dev/dax0.0 0x5eed "$STATE/layout"
	# the checker itself must catch a wrong seed and a single bad word
	must_fail "verify with a wrong seed" \
		"$VMM" verify /dev/dax0.0 0x5eee "$STATE/layout"
	must "poke" "$VMM" poke /dev/dax0.0 0x12340
	must_fail "verify after a poke" \
		"$VMM" verify /dev/dax0.0 0x5eed "$STATE/layout"
	case $MUST_OUT in
	*"1 of "*"first at offset 0x12340"*) ;;
	*) fail "verify did not pinpoint the poked word: $MUST_OUT" ;;
	esac
	must "poke back" "$VMM" poke /dev/dax0.0 0x12340
	must "verify restored" "$VMM" verify /dev/dax0.0 0x5eed "$STATE/layout"
	no_splat
	pass
	;;
esac
