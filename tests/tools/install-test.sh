#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make install / uninstall / dkms-source into DESTDIRs: the exact file
# lists of an administrator's and a package's install, a stripped module
# (unless asked otherwise), an install without kernel headers that still
# installs pkdaxctl and says what it skipped, an uninstall that leaves no
# file, and, when dkms is installed, a real 'dkms build' of the DKMS
# tree against Debian's 6.12 headers (in a private DKMS tree).
#
#   install-test.sh TOP KVER
set -u

TOP=$1
KVER=$2
TMP=$(mktemp -d /tmp/pkern-install-test.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
npass=0
nfail=0

pass() { echo "PASS $1"; npass=$((npass + 1)); }
fail() { echo "FAIL $1: $2"; nfail=$((nfail + 1)); }

mk() { make -C "$TOP" --no-print-directory "$@" >"$TMP/out" 2>"$TMP/err"; }

# files DIR: every file and link under DIR, relative, sorted
files() { (cd "$1" && find . ! -type d | sed 's|^\./||' | sort); }

# same NAME WANT-FILE DIR: DIR holds exactly the files of WANT-FILE
same() {
	if diff -u "$2" <(files "$3") >"$TMP/diff"; then
		pass "$1"
	else
		fail "$1" "file list differs: $(grep '^[-+][^-+]' "$TMP/diff" | tr '\n' ' ')"
	fi
}

MANS=$(find "$TOP/tools/pkdaxctl/Documentation" -name 'pkdaxctl*.txt' -printf '%f\n' | sed 's/\.txt$/.1/')
MOD=lib/modules/$KVER/updates/dax_pkern.ko

# want BIN-PREFIX RULES-DIR MODPROBE-DIR [module]: the expected list
want() {
	{
		echo "$1/bin/pkdaxctl"
		echo "$1/share/bash-completion/completions/pkdaxctl"
		for m in $MANS; do echo "$1/share/man/man1/$m"; done
		echo "$2/60-dax-pkern.rules"
		echo "$2/61-dax-pkern-names.rules"
		echo "$3/dax_pkern.conf"
		[ -z "${4:-}" ] || echo "$MOD"
	} | sort
}

has_debug() { readelf -S "$1" | grep -q '\.debug_info'; }

# an administrator's install: /usr/local, config in /etc
D=$TMP/admin
if mk install DESTDIR="$D"; then
	want usr/local etc/udev/rules.d etc/modprobe.d module >"$TMP/want"
	same "install: file list (PREFIX=/usr/local)" "$TMP/want" "$D"
	if has_debug "$D/$MOD"; then
		fail "install: module stripped" "$MOD still has .debug_info"
	else
		pass "install: module stripped of debug info"
	fi
	if mk uninstall DESTDIR="$D" && [ -z "$(files "$D")" ]; then
		pass "uninstall: removes every installed file"
	else
		fail "uninstall" "left: $(files "$D" | tr '\n' ' ') $(tail -n 1 "$TMP/err")"
	fi
else
	fail "install (PREFIX=/usr/local)" "$(tail -n 1 "$TMP/err")"
fi

# a package's install: /usr, config where packages put it
D=$TMP/pkg
if mk install DESTDIR="$D" PREFIX=/usr INSTALL_MOD_STRIP=; then
	want usr lib/udev/rules.d lib/modprobe.d module >"$TMP/want"
	same "install: file list (PREFIX=/usr)" "$TMP/want" "$D"
	if has_debug "$D/$MOD"; then
		pass "install: INSTALL_MOD_STRIP= keeps debug info"
	else
		fail "install: INSTALL_MOD_STRIP=" "the module has no .debug_info"
	fi
else
	fail "install (PREFIX=/usr)" "$(tail -n 1 "$TMP/err")"
fi

# no kernel headers: the rest is installed, the skip is said
D=$TMP/noheaders
if mk install DESTDIR="$D" KDIR="$TMP/no-such-headers"; then
	want usr/local etc/udev/rules.d etc/modprobe.d >"$TMP/want"
	same "install without headers: everything but the module" "$TMP/want" "$D"
	if grep -q "skipped dax_pkern.ko: it needs kernel headers at '$TMP/no-such-headers'" "$TMP/err"; then
		pass "install without headers: says what was skipped"
	else
		fail "install without headers" "no 'skipped dax_pkern.ko' line: $(tr '\n' ' ' <"$TMP/err")"
	fi
else
	fail "install without headers" "exited non-zero: $(tail -n 1 "$TMP/err")"
fi

# dkms-install builds for the running kernel, or the one named
if mk -n dkms-install && grep -q -- "install pkern/[^ ]* -k $(uname -r)\$" "$TMP/out" &&
   mk -n dkms-install KVER=6.12.0-test && grep -q -- "install pkern/[^ ]* -k 6.12.0-test\$" "$TMP/out"; then
	pass "dkms-install: for the running kernel, or KVER="
else
	fail "dkms-install kernel" "$(grep -- ' -k ' "$TMP/out")"
fi

# the DKMS tree, and a real dkms build of it
D=$TMP/dkms-src
if mk dkms-source DESTDIR="$D" PKERN_VERSION=9.9; then
	src=$D/usr/src/pkern-9.9
	for f in dkms.conf Kbuild main.c lib/codec.c include/linux/pkern.h \
		include/uapi/linux/pkern.h dax/bus.h dax/dax-private.h; do
		[ -f "$src/$f" ] || fail "dkms-source" "no $f in $src"
	done
	if grep -q '^PACKAGE_VERSION="9.9"$' "$src/dkms.conf"; then
		pass "dkms-source: tree with dkms.conf and the private dax headers"
	else
		fail "dkms-source" "dkms.conf has no version 9.9"
	fi
	if ! command -v dkms >/dev/null; then
		echo "SKIP dkms build: dkms not installed (make deps)"
	elif [ ! -d "/lib/modules/$KVER/build" ]; then
		echo "SKIP dkms build: no /lib/modules/$KVER/build"
	else
		T=$TMP/dkms-tree
		mkdir -p "$T"
		if (cd "$TMP" && dkms add pkern/9.9 --dkmstree "$T" --sourcetree "$D/usr/src" &&
		    dkms build pkern/9.9 -k "$KVER" --dkmstree "$T" --sourcetree "$D/usr/src") \
		    >"$TMP/dkms.log" 2>&1; then
			ko=$(find "$T" -path "*/$KVER/*" -name 'dax_pkern.ko*' | head -n 1)
			if [ -n "$ko" ]; then
				pass "dkms build against $KVER: ${ko#"$T"/}"
			else
				fail "dkms build" "no dax_pkern.ko in $T"
			fi
		else
			fail "dkms build" "$(tail -n 3 "$TMP/dkms.log" | tr '\n' ' ')"
		fi
	fi
else
	fail "dkms-source" "$(tail -n 1 "$TMP/err")"
fi

echo "install tests: $npass passed, $nfail failed"
[ "$nfail" -eq 0 ]
