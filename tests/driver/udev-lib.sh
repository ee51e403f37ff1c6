# SPDX-License-Identifier: GPL-2.0-only
#
# The installed configuration under a real udevd, for the driver
# scenarios that need udev (autoload, names); sourced after the
# harness's lib.sh.  The installation is the driver's own 'make
# install-module DESTDIR=build/vm/root' plus depmod indexes made on the
# host (mkvmroot.sh).  The guest's / is the host's, read-only, so every
# directory the install writes to is shadowed by a tmpfs copy of itself
# with the installed files added, on each boot.
# shellcheck shell=bash

ROOT=$VM_B/vm/root

# shadow DIR: DIR becomes a tmpfs view of itself plus ROOT/DIR's files
shadow() {
	local d=$1 low=/tmp/low$1 new=/tmp/new$1 e
	[ -d "$d" ] || fail "install target $d does not exist in the guest"
	mkdir -p "$low" "$new"
	must "bind $d" mount --bind "$d" "$low"
	for e in "$low"/* "$low"/.[!.]*; do
		[ -e "$e" ] || [ -L "$e" ] || continue
		ln -s "$e" "$new/${e##*/}"
	done
	must "copy installed files into $d" \
		cp -a --remove-destination "$ROOT$d/." "$new/"
	must "shadow $d" mount --bind "$new" "$d"
}

install_and_boot_udev() {
	local d p skip done=""
	[ -f "$ROOT/.stamp" ] || fail "$ROOT not built (make vm)"
	# every directory holding installed files, outermost first
	for d in $(cd "$ROOT" && find . -type f ! -name .stamp | sed 's|^\.||; s|/[^/]*$||' | sort -u); do
		skip=
		for p in $done; do case $d/ in "$p"/*) skip=1 ;; esac; done
		[ -n "$skip" ] && continue
		shadow "$d"
		done="$done $d"
	done
	log "installed: $(cd "$ROOT" && find . -type f ! -name .stamp ! -name 'modules.*' | tr '\n' ' ')"
	modinfo -n nd_e820 >/dev/null || fail "nd_e820 not available to modprobe"
	[ "$(modinfo -n dax_pkern)" = "/lib/modules/$(uname -r)/updates/dax_pkern.ko" ] ||
		fail "modprobe resolves dax_pkern to '$(modinfo -n dax_pkern)'"
	# init stays outside the chroot (it kexecs after unmounting), so
	# systemd tools see a chroot and would ignore udevadm trigger
	export SYSTEMD_IGNORE_CHROOT=1
	must "start udevd" /lib/systemd/systemd-udevd --daemon
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
