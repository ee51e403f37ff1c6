#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=3G memmap=1G!4G timeout=480
#
# Scenario 6: with the shipped configuration installed (module in
# updates/, depmod, udev rule and modprobe.d file from
# drivers/dax/pkern/etc/) and nd_e820 available, udev alone brings the
# region up under pkern on a cold boot and again after kexec, with the
# namespaces and their bytes.  The root is the host's read-only /, so the
# "installation" goes into tmpfs overlays on /lib/modules/KVER and /etc,
# redone on each boot exactly as make install-module would lay it out.
. "$VM_TOP/tests/vm/lib.sh"

ETC=$VM_TOP/drivers/dax/pkern/etc
KVER=$(uname -r)

overlay() {
	mkdir -p "/tmp/ovl$1/up" "/tmp/ovl$1/work"
	must "overlay on $1" mount -t overlay overlay \
		-o "lowerdir=$1,upperdir=/tmp/ovl$1/up,workdir=/tmp/ovl$1/work" "$1"
}

install_and_boot_udev() {
	local f n=0
	[ -f "$KO" ] || fail "$KO not built"
	must "load overlayfs" modprobe overlay
	overlay "/lib/modules/$KVER"
	overlay /etc
	mkdir -p "/lib/modules/$KVER/updates"
	cp "$KO" "/lib/modules/$KVER/updates/"
	must "depmod" depmod -a "$KVER"
	for f in "$ETC"/*.rules; do
		[ -e "$f" ] && cp "$f" /etc/udev/rules.d/ && n=$((n + 1))
	done
	for f in "$ETC"/*.conf; do
		[ -e "$f" ] && cp "$f" /etc/modprobe.d/ && n=$((n + 1))
	done
	[ $n -gt 0 ] || fail "no udev rule or modprobe.d file shipped in $ETC"
	log "installed: $(cd "$ETC" && ls | tr '\n' ' ')"
	modinfo -n nd_e820 >/dev/null || fail "nd_e820 not available to modprobe"
	must "start udevd" /lib/systemd/systemd-udevd --daemon
	must "udev coldplug subsystems" udevadm trigger --type=subsystems --action=add
	must "udev coldplug devices" udevadm trigger --type=devices --action=add
	udevadm settle -t 120 || log "udevadm settle timed out"
	wait_for /sys/class/pkern/pkern0/state 30 ||
		fail "udev did not bring up pkern0; e820_pmem bound to: $(basename "$(readlink /sys/bus/platform/devices/e820_pmem/driver)" 2>/dev/null)"
	ready_report pkern0
	drv=$(basename "$(readlink /sys/bus/platform/devices/e820_pmem/driver)")
	log "e820_pmem bound to $drv; modules: $(lsmod | awk '/^(nd_e820|dax_pkern|device_dax|dax) /{printf "%s ", $1}')"
	[ -e /sys/bus/nd/devices/region0 ] && fail "nd_e820 created an nvdimm region next to pkern"
	case $drv in *pkern*) ;; *) fail "e820_pmem is bound to '$drv', not pkern" ;; esac
}

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
