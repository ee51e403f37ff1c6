#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=3G memmap=1G!4G timeout=600
#
# Stable names under a real udevd with the shipped rules: every guest
# namespace gets /dev/pkern/pkern0/NAME -> its daxN.M as the device
# appears, the link points at the same device after kexec and reads the
# same bytes, it goes when the namespace is destroyed.  Names that
# would not be one safe path component never reach udev: pkdaxctl and
# the kernel (a raw ioctl) refuse them; every character a name may hold
# comes out unchanged.  iommu namespaces have no dax device, so no link.
. "$VM_TOP/tests/harness/lib.sh"

# shellcheck source=tests/driver/udev-lib.sh
. "$VM_TOP/tests/driver/udev-lib.sh"

LINKS=/dev/pkern/pkern0
ODD=a.b:c+d@e-f_0
LONG=L$(printf '%062d' 0)	# 63 characters, the longest name

# links: what /dev/pkern/pkern0 holds, as "NAME -> TARGET; ..."
links() { find "$LINKS" -mindepth 1 -printf '%f -> %l\n' 2>&1 | sort | tr '\n' ';'; }

# link_is NAME DEV: /dev/pkern/pkern0/NAME is a link udev made to DEV
link_is() {
	local t
	[ -L "$LINKS/$1" ] || fail "no link $LINKS/$1; $LINKS holds: $(links)"
	t=$(readlink -f "$LINKS/$1")
	[ "$t" = "$2" ] || fail "$LINKS/$1 points at '$t', not $2"
	udevadm info -q symlink "$2" | tr ' ' '\n' | grep -qx "pkern/pkern0/$1" ||
		fail "udev's database has no pkern/pkern0/$1 for $2: $(udevadm info -q symlink "$2")"
}

# raw_create NAME: PKERN_IOC_CREATE of a 64 MiB guest namespace,
# bypassing pkdaxctl's checks; prints the errno name, or "created"
raw_create() {
	python3 - "$1" <<'EOF'
import errno, fcntl, os, struct, sys
name = sys.argv[1].encode()
# struct pkern_create: argsz flags name[64] uuid[16] kind pad size align
# offset dax_region dax_id
arg = bytearray(struct.pack('<II64s16sIIQQQII', 128, 0, name, bytes(16),
                            1, 0, 64 << 20, 2 << 20, 0, 0, 0))
fd = os.open('/dev/pkern0', os.O_RDWR)
try:
    fcntl.ioctl(fd, 0xB702, arg)
    print('created')
except OSError as e:
    print(errno.errorcode[e.errno])
EOF
}

show_links() { log "$LINKS: $(links)"; }

case $PH in
0)
	install_and_boot_udev
	pk init-labels -r pkern0 >/dev/null || exit 1
	for n in vm1 "$ODD" "$LONG" gone; do
		pk create-namespace -r pkern0 -n "$n" -s 64M -t guest -a 2M >/dev/null || exit 1
	done
	pk create-namespace -r pkern0 -n pool -s 4M -t iommu -a 4K >/dev/null || exit 1
	udevadm settle -t 60 || log "udevadm settle timed out"
	for n in vm1 "$ODD" "$LONG" gone; do
		dev=$(ns_dev "$n") || exit 1
		link_is "$n" "$dev"
		save "dev.$n" "$dev"
	done
	[ ! -e "$LINKS/pool" ] || fail "iommu namespace pool got a link: $(ls -l "$LINKS/pool")"
	show_links
	# what pkdaxctl refuses, the kernel refuses as well
	for n in ../evil a/b .. .hidden 'x y' $'x\ny' $'\x01ctl' -dash; do
		must_fail "create '$n'" "$PKDAXCTL" create-namespace -r pkern0 -n "$n" -s 64M -t guest -a 2M
		r=$(raw_create "$n")
		[ "$r" = EINVAL ] || fail "the kernel answered '$r' to creating a namespace named '$n', not EINVAL"
	done
	[ "$(find /dev/pkern -mindepth 1 | wc -l)" -eq 5 ] ||
		fail "/dev/pkern holds more than the region and its 4 links: $(find /dev/pkern | tr '\n' ' ')"
	pk destroy-namespace gone -r pkern0 >/dev/null || exit 1
	udevadm settle -t 60 || log "udevadm settle timed out"
	if [ -e "$LINKS/gone" ] || [ -L "$LINKS/gone" ]; then
		fail "$LINKS/gone is still there after destroy"
	fi
	must "fill vm1 through its link" "$VMM" fill "$LINKS/vm1" 71 "$STATE/layout.vm1"
	no_splat
	kexec_next
	;;
1)
	install_and_boot_udev
	ready_report "$LINKS"
	udevadm settle -t 60 || log "udevadm settle timed out"
	show_links
	for n in vm1 "$ODD" "$LONG"; do
		link_is "$n" "$(get "dev.$n")"
	done
	[ ! -L "$LINKS/gone" ] || fail "the destroyed namespace's link came back after kexec"
	must "verify vm1 through its link" "$VMM" verify "$LINKS/vm1" 71 "$STATE/layout.vm1"
	pk destroy-namespace vm1 -r pkern0 >/dev/null || exit 1
	udevadm settle -t 60 || log "udevadm settle timed out"
	[ ! -L "$LINKS/vm1" ] || fail "$LINKS/vm1 is still there after destroy"
	no_splat
	pass
	;;
esac
