#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Install QEMU 10 next to the system's QEMU 7.2, for the nested VMM of
# the live-update tests: a VFIO device that migrates (enable-migration=on,
# the kept-device flow) needs QEMU 10, while the harness's outer QEMU
# stays Debian 12's own.  The packages come from Debian's
# bookworm-backports, fetched with a private apt configuration and
# unpacked with dpkg -x into PREFIX, so the system's package state is not
# touched.  Their libraries are all bookworm libraries: missing ones are
# installed the normal way.
#
#   scripts/install-qemu.sh           install (quick no-op when present)
#   scripts/install-qemu.sh --print   print the QEMU 10 binary to run, or
#                                     fail when it is not installed
#   PKERN_DEBIAN_MIRROR=URI           another Debian mirror
#
# PREFIX/bin/qemu-system-x86_64 is a wrapper that points QEMU at the
# unpacked firmware and modules; scripts run it, never PREFIX/usr/bin.
set -eu

# The pinned versions.  Backports replaces old versions, so when the
# mirror has moved on, update these (and PREFIX's version if it changes).
QEMU_VERSION=1:10.0.2+ds-2+deb13u1~bpo12+1
SEABIOS_VERSION=1.16.3-2~bpo12+1
PREFIX=/opt/pkern/qemu-10.0
SUITE=bookworm-backports
PKGS="qemu-system-x86 qemu-system-common qemu-system-data"

WRAPPER=$PREFIX/bin/qemu-system-x86_64
STAMP=$PREFIX/.installed
STAMP_TEXT="qemu-system-x86=$QEMU_VERSION seabios=$SEABIOS_VERSION"

say() { echo "install-qemu: $*"; }
die() { echo "install-qemu: $*" >&2; exit 1; }

# dep_ok "PKG (OP VER) | PKG2 ...": dpkg has one alternative installed
# (called with IFS at newline, which splits the alternatives)
dep_ok() {
	alts=$(echo "$1" | tr '|' '\n')
	for alt in $alts; do
		alt=$(echo "$alt" | sed 's/^ *//; s/ *$//')
		pkg=${alt%% *}
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" ||
			continue
		case $alt in
		*"("*) ;;
		*) return 0 ;;
		esac
		ver=$(dpkg-query -W -f='${Version}' "$pkg")
		op=$(echo "$alt" | sed 's/.*(\([<>=]*\) *\(.*\))/\1/')
		want=$(echo "$alt" | sed 's/.*(\([<>=]*\) *\(.*\))/\2/')
		case $op in
		">=") op=ge ;; ">>") op=gt ;; "=") op=eq ;; "<=") op=le ;; "<<") op=lt ;;
		*) continue ;;
		esac
		dpkg --compare-versions "$ver" "$op" "$want" && return 0
	done
	return 1
}

# installed: the pinned versions are unpacked and the wrapper runs
installed() {
	[ -x "$WRAPPER" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$STAMP_TEXT" ] &&
		"$WRAPPER" --version 2>/dev/null | grep -q '^QEMU emulator version 10\.'
}

if [ "${1:-}" = --print ]; then
	installed || die "QEMU 10 is not installed in $PREFIX: run scripts/install-qemu.sh (make deps)"
	echo "$WRAPPER"
	exit 0
fi
[ $# -eq 0 ] || die "usage: $0 [--print]"
installed && exit 0

codename=$(sed -n 's/^VERSION_CODENAME=//p' /etc/os-release 2>/dev/null || true)
[ "$codename" = bookworm ] ||
	die "QEMU 10 comes from $SUITE, which needs Debian 12 (this is ${codename:-unknown})"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null 2>&1 ||
		die "need root to install into $PREFIX"
	SUDO=sudo
fi

# The mirror the system already uses (deb822 sources: the first URI of
# an enabled stanza for the bookworm suite), else Debian's CDN;
# PKERN_DEBIAN_MIRROR overrides both.
mirror() {
	awk 'BEGIN { RS = ""; FS = "\n" }
	{
		uri = ""; suites = 0; off = 0
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^URIs:/) { split($i, w, /[ \t]+/); uri = w[2] }
			if ($i ~ /^Suites:/ && $i ~ /[ \t]bookworm([ \t]|$)/) suites = 1
			if ($i ~ /^Enabled:[ \t]*no/) off = 1
		}
		if (uri != "" && suites && !off) { print uri; exit }
	}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true
}
URI=${PKERN_DEBIAN_MIRROR:-$(mirror)}
: "${URI:=http://deb.debian.org/debian}"
URI=${URI%/}

t0=$(date +%s)
say "installing QEMU $QEMU_VERSION and SeaBIOS $SEABIOS_VERSION from $URI $SUITE into $PREFIX"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/lists/partial" "$WORK/cache/archives/partial" "$WORK/debs"
# apt downloads as _apt; let it write where it downloads to
chmod 755 "$WORK"
id _apt >/dev/null 2>&1 && $SUDO chown -R _apt "$WORK/lists" "$WORK/cache" "$WORK/debs"
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
OPTS=""
[ -f "$KEYRING" ] && OPTS="[signed-by=$KEYRING] "
echo "deb $OPTS$URI $SUITE main" >"$WORK/sources.list"
set -- -o "Dir::Etc::sourcelist=$WORK/sources.list" -o Dir::Etc::sourceparts=- \
	-o "Dir::State::Lists=$WORK/lists" -o "Dir::Cache=$WORK/cache" \
	-o APT::Update::Error-Mode=any -q

$SUDO apt-get "$@" update >"$WORK/update.log" 2>&1 ||
	die "cannot read $SUITE from $URI: $(grep -E '^(E|W):' "$WORK/update.log" | head -n 2 | tr '\n' ' ')"
want=""
for p in $PKGS seabios; do
	v=$QEMU_VERSION
	[ "$p" = seabios ] && v=$SEABIOS_VERSION
	# apt-cache show succeeds, silently, on a version it does not know
	apt-cache "$@" show "$p=$v" 2>/dev/null | grep -q '^Package:' ||
		die "$URI $SUITE has no $p $v (it moved on?): update the pinned versions in $0"
	want="$want $p=$v"
done
# shellcheck disable=SC2086 # versions hold no blanks
(cd "$WORK/debs" && $SUDO apt-get "$@" download $want >"$WORK/download.log" 2>&1) ||
	die "download failed: $(tail -n 2 "$WORK/download.log" | tr '\n' ' ')"

# Their library dependencies, except on each other, the firmware we
# unpack and ipxe-qemu (the system QEMU's, whose ROMs QEMU 10 finds in
# /usr/lib/ipxe/qemu): install what dpkg does not have yet.
deps=$(for d in "$WORK"/debs/qemu-system-*.deb; do
	dpkg-deb -f "$d" Depends; echo ,
done | tr ',' '\n' | sed 's/^ *//; s/ *$//' | grep -v -E '^$|^(qemu-system-|seabios|ipxe-qemu)' | sort -u)
missing=""
IFS_SAVE=$IFS
IFS='
'
for dep in $deps; do
	dep_ok "$dep" || missing="$missing${missing:+, }$dep"
done
IFS=$IFS_SAVE
if [ -n "$missing" ]; then
	say "installing libraries QEMU 10 needs: $missing"
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get satisfy -y -q \
		--no-install-recommends "$missing" ||
		die "could not install: $missing"
fi

# Unpack into PREFIX.new, then swap it in: a half-done install is never
# what PREFIX holds.
$SUDO rm -rf "$PREFIX.new" "$PREFIX.old"
$SUDO mkdir -p "$PREFIX.new/bin"
for d in "$WORK"/debs/*.deb; do
	$SUDO dpkg -x "$d" "$PREFIX.new"
done
# Debian's QEMU looks for SeaBIOS in /usr/share/seabios, the system's
# older 1.16.2, which QEMU 10's Debian package does not accept.  Link
# every SeaBIOS image into the unpacked share/qemu, relative, so the one
# -L directory the wrapper passes resolves inside this tree.
for f in "$PREFIX.new/usr/share/seabios"/*; do
	$SUDO ln -sfn "../seabios/${f##*/}" "$PREFIX.new/usr/share/qemu/${f##*/}"
done
# The wrapper: firmware from the unpacked tree first (the system's
# directories stay behind it for ipxe's NIC ROMs), and modules from the
# unpacked tree only: QEMU 7.2's modules in /usr/lib do not fit QEMU 10.
$SUDO tee "$PREFIX.new/bin/qemu-system-x86_64" >/dev/null <<EOF
#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# QEMU $QEMU_VERSION unpacked by scripts/install-qemu.sh
QEMU_MODULE_DIR=$PREFIX/usr/lib/x86_64-linux-gnu/qemu
export QEMU_MODULE_DIR
exec $PREFIX/usr/bin/qemu-system-x86_64 -L $PREFIX/usr/share/qemu "\$@"
EOF
$SUDO chmod 755 "$PREFIX.new/bin/qemu-system-x86_64"
echo "$STAMP_TEXT" | $SUDO tee "$PREFIX.new/.installed" >/dev/null

notfound=$(ldd "$PREFIX.new/usr/bin/qemu-system-x86_64" | grep 'not found' || true)
[ -z "$notfound" ] || die "QEMU 10 misses libraries: $notfound"
for f in "$PREFIX.new/usr/share/qemu"/*.bin; do
	[ -e "$f" ] || die "firmware link $f does not resolve"
done

[ ! -e "$PREFIX" ] || $SUDO mv "$PREFIX" "$PREFIX.old"
$SUDO mv "$PREFIX.new" "$PREFIX"
$SUDO rm -rf "$PREFIX.old"

# The BIOS that runs must be the unpacked one: SeaBIOS names its version
# on its debug port as it starts.
$WRAPPER -machine pc -accel tcg -nodefaults -display none -monitor none \
	-chardev "file,id=dbg,path=$WORK/bios.log" \
	-device isa-debugcon,iobase=0x402,chardev=dbg >"$WORK/qemu.log" 2>&1 &
qpid=$!
for _ in $(seq 1 200); do
	grep -q 'SeaBIOS (version' "$WORK/bios.log" 2>/dev/null && break
	kill -0 "$qpid" 2>/dev/null || break
	sleep 0.05
done
kill "$qpid" 2>/dev/null || true
wait "$qpid" 2>/dev/null || true
bios=$(grep -o 'SeaBIOS (version [^)]*)' "$WORK/bios.log" 2>/dev/null || true)
case $bios in
*"version ${SEABIOS_VERSION%%-*}"*) ;;
*) die "QEMU 10 did not run SeaBIOS $SEABIOS_VERSION from $PREFIX (${bios:-no BIOS output}): $(cat "$WORK/qemu.log")" ;;
esac
installed || die "QEMU 10 in $PREFIX does not run"
say "$("$WRAPPER" --version | head -n 1), $bios: $WRAPPER ($(($(date +%s) - t0)) s)"
