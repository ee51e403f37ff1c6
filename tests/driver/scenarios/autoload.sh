#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=3G memmap=1G!4G timeout=480
#
# With the shipped configuration installed and nd_e820
# available, udev alone brings the region up under pkern on a cold boot
# and again after kexec, with the namespaces and their bytes.
. "$VM_TOP/tests/harness/lib.sh"

# shellcheck source=tests/driver/udev-lib.sh
. "$VM_TOP/tests/driver/udev-lib.sh"

case $PH in
0)
	install_and_boot_udev
	[ "$(pkern_state)" = unformatted ] || fail "fresh region is '$(pkern_state)'"
	pk init-labels -r pkern0 >/dev/null || exit 1
	pk create-namespace -r pkern0 -n auto -s 64M -t guest -a 2M >/dev/null || exit 1
	dev=$(ns_dev auto) || exit 1
	save dev.auto "$dev"
	wait_for "$dev" 10 || fail "$dev did not appear"
	must "fill auto" "$VMM" fill "$dev" 33 "$STATE/layout.auto"
	no_splat
	kexec_next
	;;
1)
	install_and_boot_udev
	[ "$(pkern_state)" = ready ] || fail "after kexec state is '$(pkern_state)'"
	dev=$(get dev.auto)
	wait_for "$dev" 10 || fail "$dev not back after kexec under udev"
	must "verify auto" "$VMM" verify "$dev" 33 "$STATE/layout.auto"
	no_splat
	pass
	;;
esac
