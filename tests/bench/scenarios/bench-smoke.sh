#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=3G memmap=1G!4G timeout=400
#
# make check-bench-smoke: every bench step once, small, on one 1 GiB
# region, so the machinery cannot rot; numbers are not judged.
. "$VM_TOP/tests/harness/lib.sh"
. "$VM_TOP/tests/bench/guest-lib.sh"

case $PH in
0)
	load_pkern
	pk init-labels -r pkern0 >/dev/null
	label_overhead
	pkern_fill pkern0 1 1 4M 2M
	ctl_latency pkern0 1 1
	kexec_next
	;;
1)
	share_udev_up
	pkern_loads 1 2
	share_pkern lookup b1 1
	share_pkern link b1 1
	pkern_faults pkern0 64M 1
	ref_faults 64M 1
	scrub_bw pkern0 256M 1
	must "rmmod dax_pkern" rmmod dax_pkern
	stock_load
	stock_setup dev
	stock_restore dev 2
	share_stock dev 1
	stock_vmemmap dev 0
	no_splat
	pass
	;;
esac
