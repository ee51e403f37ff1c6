#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Lay out what 'make install-module' installs, for the autoload scenario:
#   mkvmroot.sh ROOT KVER
# ROOT already holds the DESTDIR install (module in updates/, udev rule,
# modprobe.d file).  Add the depmod indexes a host would have after
# install-module's depmod, computed here on the host: depmod over every
# module through 9p inside a TCG guest takes many minutes.
set -eu
ROOT=$1
KVER=$2
SYS=/lib/modules/$KVER
MOD=$ROOT/lib/modules/$KVER

[ -d "$SYS" ] || { echo "mkvmroot: no $SYS; run 'make deps'" >&2; exit 1; }
mkdir -p "$MOD"
# depmod -b needs the whole tree: link the stock modules in, temporarily
links=""
for e in "$SYS"/*; do
	n=${e##*/}
	case $n in
	modules.order|modules.builtin|modules.builtin.modinfo) cp "$e" "$MOD/" ;;
	modules.*|updates|build|source) ;;
	*) ln -s "$e" "$MOD/$n"; links="$links $n" ;;
	esac
done
depmod -b "$ROOT" "$KVER"
for n in $links; do rm "$MOD/$n"; done
grep -q '^updates/dax_pkern.ko:' "$MOD/modules.dep" ||
	{ echo "mkvmroot: dax_pkern.ko missing from modules.dep" >&2; exit 1; }
