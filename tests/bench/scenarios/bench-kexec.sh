#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=3G memmap=1G!4G timeout=900
#
# make bench, part 2: the first load right after a real kexec, pkern
# (128 namespaces) and stock (one devdax namespace, map=dev), on a
# 1 GiB region; these samples join part 1's and are listed apart.
# Then pkern's share of the blackout, with 128 namespaces to look up,
# and the stock path's, in the same boot.
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
	share_udev_up
	pkern_loads 128 1
	share_pkern lookup b64 3
	share_pkern link b64 3
	must "rmmod dax_pkern" rmmod dax_pkern
	stock_load
	stock_setup dev
	kexec_next
	;;
2)
	share_udev_up
	stock_restore dev 1
	share_stock dev 3
	no_splat
	pass
	;;
esac
