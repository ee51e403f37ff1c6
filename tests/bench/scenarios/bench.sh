#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=23G memmap=1G!4G,4G!5G,16G!9G timeout=2400
#
# make bench, part 1: pkern and the stock nd_e820/dax_pmem path on the
# same three legacy-pmem regions (1, 4 and 16 GiB) in one boot; restore
# samples are module reloads (the probe reads everything from the media
# again).  Part 2, bench-kexec.sh, takes the loads right after a kexec.
# A kexec'd kernel with this memory layout hangs early in boot under TCG
# (twice at the same point after "NET: Registered PF_INET6"), hence two
# runs.  The regions are never touched as a whole (TCG backs guest RAM
# lazily): pkern namespaces are 4 MiB each, plus 1 GiB (faults) and 4 GiB
# (scrub) ones on the 16 GiB region; stock namespaces span each region,
# but only their struct pages and info block are written.  mem=23G is
# what QEMU may reserve on this 24 GiB host (heuristic overcommit); the
# regions take all RAM above 4 GiB, leaving the guest its low 2 GiB, so
# the anonymous/hugetlb references are 512 MiB (faults are per GiB).
. "$VM_TOP/tests/harness/lib.sh"
. "$VM_TOP/tests/bench/guest-lib.sh"
RUNS=5		# restore samples per case
XRUNS=3		# the slower figures

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
from=1
for k in 1 16 128; do
	for r in $(regions); do
		pkern_fill "$r" "$from" "$k" 4M 2M
	done
	pkern_loads "$k" "$RUNS"
	from=$((k + 1))
done
pkern_faults pkern2 1G "$XRUNS"
ref_faults 512M "$XRUNS"
scrub_bw pkern2 4G "$XRUNS"
no_splat
must "rmmod dax_pkern" rmmod dax_pkern
stock_load
for m in dev mem; do
	stock_setup "$m"
	stock_restore "$m" "$RUNS"
	stock_vmemmap "$m" 1
done
no_splat
pass
