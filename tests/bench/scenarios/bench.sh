#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=23G memmap=1G!4G,4G!5G,16G!9G timeout=3000
#
# make bench: pkern and the stock nd_e820/dax_pmem path on the same three
# legacy-pmem regions (1, 4 and 16 GiB) in one VM run of six boots.
# The regions are never touched as a whole (TCG backs guest RAM lazily):
# pkern namespaces are 4 MiB each, plus 1 GiB (faults) and 4 GiB (scrub)
# ones on the 16 GiB region; stock namespaces span each region, but
# only their struct pages and info block are written.  mem=23G is what
# QEMU may reserve on this 24 GiB host (heuristic overcommit); the three
# regions take all RAM above 4 GiB, leaving the guest its low 2 GiB, so
# the anonymous/hugetlb references are 512 MiB (faults are per GiB).
. "$VM_TOP/tests/vm/lib.sh"
. "$VM_TOP/tests/bench/guest-lib.sh"
RUNS=5		# restore samples per case
XRUNS=3		# the slower figures

case $PH in
0)
	load_pkern
	for r in $(regions); do
		pk init-labels -r "$r" >/dev/null
	done
	label_overhead
	# control path on the 16 GiB region, then give it back empty
	pkern_fill pkern2 1 1 2M 2M
	ctl_latency pkern2 1 "$XRUNS"
	pkern_fill pkern2 2 64 2M 2M
	ctl_latency pkern2 64 "$XRUNS"
	pkern_fill pkern2 65 256 2M 2M
	ctl_latency pkern2 256 "$XRUNS"
	pk init-labels -f -r pkern2 >/dev/null
	for r in $(regions); do
		pkern_fill "$r" 1 1 4M 2M
	done
	kexec_next
	;;
1|2)
	k=$([ "$PH" = 1 ] && echo 1 || echo 16)
	pkern_loads "$k" "$RUNS"
	to=$([ "$PH" = 1 ] && echo 16 || echo 128)
	for r in $(regions); do
		pkern_fill "$r" $((k + 1)) "$to" 4M 2M
	done
	kexec_next
	;;
3)
	pkern_loads 128 "$RUNS"
	pkern_faults pkern2 1G "$XRUNS"
	ref_faults 512M "$XRUNS"
	scrub_bw pkern2 4G "$XRUNS"
	no_splat
	must "rmmod dax_pkern" rmmod dax_pkern
	stock_load
	stock_setup dev
	kexec_next
	;;
4)
	stock_restore dev "$RUNS"
	stock_vmemmap dev 1
	stock_setup mem
	kexec_next
	;;
5)
	stock_restore mem "$RUNS"
	stock_vmemmap mem 1
	no_splat
	pass
	;;
esac
