#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=3G memmap=1G!4G timeout=900
#
# make bench, part 2: the first load right after a real kexec, pkern
# (128 namespaces) and stock (one devdax namespace, map=dev), on a
# 1 GiB region; these samples join part 1's and are listed apart.
. "$VM_TOP/tests/harness/lib.sh"
. "$VM_TOP/tests/bench/guest-lib.sh"

case $PH in
0)
	load_pkern
	pk init-labels -r pkern0 >/dev/null
	pkern_fill pkern0 1 128 4M 2M
	kexec_next
	;;
1)
	pkern_loads 128 1
	must "rmmod dax_pkern" rmmod dax_pkern
	stock_load
	stock_setup dev
	kexec_next
	;;
2)
	stock_restore dev 1
	no_splat
	pass
	;;
esac
