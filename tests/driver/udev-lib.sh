# SPDX-License-Identifier: GPL-2.0-only
#
# The driver scenarios that boot with the installed configuration under
# a real udevd (autoload, names); sourced after the harness's lib.sh.
# shellcheck shell=bash

# shellcheck source=tests/harness/udev-lib.sh
. "$VM_TOP/tests/harness/udev-lib.sh"

# install_and_boot_udev: udev_up, then coldplug: pkern0 must come up
# under pkern by udev alone
install_and_boot_udev() {
	udev_up
	modinfo -n nd_e820 >/dev/null || fail "nd_e820 not available to modprobe"
	[ "$(modinfo -n dax_pkern)" = "/lib/modules/$(uname -r)/updates/dax_pkern.ko" ] ||
		fail "modprobe resolves dax_pkern to '$(modinfo -n dax_pkern)'"
	must "udev coldplug subsystems" udevadm trigger --type=subsystems --action=add
	must "udev coldplug devices" udevadm trigger --type=devices --action=add
	udevadm settle -t 120 || log "udevadm settle timed out"
	wait_for /sys/class/pkern/pkern0/state 30 ||
		fail "udev did not bring up pkern0; e820_pmem bound to: $(basename "$(readlink /sys/bus/platform/devices/e820_pmem/driver)" 2>/dev/null)"
	ready_report pkern0
	drv=$(basename "$(readlink /sys/bus/platform/devices/e820_pmem/driver)")
	log "e820_pmem bound to $drv; modules: $(lsmod | awk '/^(nd_e820|dax_pkern|device_dax) /{printf "%s ", $1}')"
	[ -e /sys/bus/nd/devices/region0 ] && fail "nd_e820 created an nvdimm region next to pkern"
	case $drv in *pkern*) ;; *) fail "e820_pmem is bound to '$drv', not pkern" ;; esac
}
