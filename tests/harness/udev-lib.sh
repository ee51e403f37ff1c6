# SPDX-License-Identifier: GPL-2.0-only
#
# The installed configuration under a real udevd, sourced after lib.sh.
# The installation is the driver's own 'make install-module
# DESTDIR=build/vm/root' plus depmod indexes made on the host
# (mkvmroot.sh).  The guest's / is the host's, read-only, so every
# directory the install writes to is shadowed by a tmpfs copy of itself
# with the installed files added, on each boot.
# shellcheck shell=bash

ROOT=$VM_B/vm/root

# shadow DIR [FILE...]: DIR becomes a tmpfs view of itself plus ROOT/DIR's
# files (only the FILEs named, if any)
shadow() {
	local d=$1 low=/tmp/low$1 new=/tmp/new$1 e f
	shift
	[ -d "$d" ] || fail "install target $d does not exist in the guest"
	mkdir -p "$low" "$new"
	must "bind $d" mount --bind "$d" "$low"
	for e in "$low"/* "$low"/.[!.]*; do
		[ -e "$e" ] || [ -L "$e" ] || continue
		ln -s "$e" "$new/${e##*/}"
	done
	if [ $# -eq 0 ]; then
		must "copy installed files into $d" \
			cp -a --remove-destination "$ROOT$d/." "$new/"
	fi
	for f in "$@"; do
		must "copy installed $d/$f" cp -a --remove-destination "$ROOT$d/$f" "$new/"
	done
	must "shadow $d" mount --bind "$new" "$d"
}

# udev_up [FILE...]: the installed files (or only the FILEs, paths as
# installed, e.g. /etc/udev/rules.d/61-dax-pkern-names.rules) shadowed
# in, systemd-udevd running; it handles devices that appear from now on,
# coldplug is the caller's
# shellcheck disable=SC2120	# most callers install everything
udev_up() {
	local d p f skip done=""
	[ -f "$ROOT/.stamp" ] || fail "$ROOT not built (make vm)"
	if [ $# -gt 0 ]; then
		for f in "$@"; do
			[ -f "$ROOT$f" ] || fail "$f is not among the installed files in $ROOT"
			shadow "${f%/*}" "${f##*/}"
		done
		log "installed: $*"
	else
		# every directory holding installed files, outermost first
		for d in $(cd "$ROOT" && find . -type f ! -name .stamp | sed 's|^\.||; s|/[^/]*$||' | sort -u); do
			skip=
			for p in $done; do case $d/ in "$p"/*) skip=1 ;; esac; done
			[ -n "$skip" ] && continue
			shadow "$d"
			done="$done $d"
		done
		log "installed: $(cd "$ROOT" && find . -type f ! -name .stamp ! -name 'modules.*' | tr '\n' ' ')"
	fi
	# init stays outside the chroot (it kexecs after unmounting), so
	# systemd tools see a chroot and would ignore udevadm trigger
	export SYSTEMD_IGNORE_CHROOT=1
	must "start udevd" /lib/systemd/systemd-udevd --daemon
}
