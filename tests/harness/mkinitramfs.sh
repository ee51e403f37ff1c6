#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Build the test VM's initramfs: static busybox, the 9p modules of the
# guest kernel (decompressed: busybox insmod cannot read .ko.xz) and the
# init that mounts the host's / read-only over 9p and chroots into it.
#
#   mkinitramfs.sh KVER|builtin OUT.cpio.gz TSC
# "builtin" is for a kernel with 9p built in: no modules are added.
set -eu

KVER=$1
OUT=$2
TSC=$3
HERE=$(cd "$(dirname "$0")" && pwd)
MODDIR=/lib/modules/$KVER
BUSYBOX=/bin/busybox

die() { echo "mkinitramfs: $*" >&2; exit 1; }

[ "$KVER" = builtin ] || [ -d "$MODDIR" ] ||
	die "no $MODDIR: install linux-image-$KVER (make deps)"
file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' ||
	die "$BUSYBOX is not static: install busybox-static (make deps)"

WORK=$(mktemp -d "${OUT%/*}/initramfs.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/bin" "$WORK/modules" "$WORK/proc" "$WORK/sys" \
	"$WORK/dev" "$WORK/newroot"
cp "$BUSYBOX" "$WORK/bin/busybox"
# Load order matters: dependencies first
for m in netfs 9pnet 9pnet_virtio 9p; do
	[ "$KVER" = builtin ] && break
	f=$(find "$MODDIR/kernel" -name "$m.ko*" | head -n 1)
	[ -n "$f" ] || die "module $m missing from $MODDIR"
	case $f in
	*.xz)	xz -dc "$f" >"$WORK/modules/$m.ko" ;;
	*.zst)	zstd -qdc "$f" >"$WORK/modules/$m.ko" ;;
	*)	cp "$f" "$WORK/modules/$m.ko" ;;
	esac
done
# kexec -e runs from the initramfs once the 9p shares are unmounted:
# the kexec'd kernel's 9p is many times slower when the old one left its
# fids open in QEMU.  Take the host's kexec and the libraries it needs.
KEXEC=$(command -v kexec || echo /sbin/kexec)
[ -x "$KEXEC" ] || die "no kexec: install kexec-tools (make deps)"
cp "$KEXEC" "$WORK/bin/kexec"
cp "$TSC" "$WORK/bin/tsc"
for lib in $(ldd "$KEXEC" | awk '$2 == "=>" { print $3 } $1 ~ /^\// { print $1 }'); do
	mkdir -p "$WORK$(dirname "$lib")"
	cp -L "$lib" "$WORK$lib"
done
install -m 0755 "$HERE/init" "$WORK/init"
(cd "$WORK" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) |
	gzip -1 >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
