#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# Install what building and testing pkern needs on Debian 12 / Ubuntu
# (the last line: building the patched test kernel, make kernel), then
# QEMU 10 for the nested VMM next to the system's QEMU
# (scripts/install-qemu.sh).  Quick no-op when everything is present;
# uses sudo when not root.
set -eu

PKGS="gcc make clang libclang-rt-14-dev pkg-config
zlib1g-dev uuid-dev libcmocka-dev libjson-c-dev libdaxctl-dev libndctl-dev
libpmem-dev ndctl daxctl jq valgrind
linux-image-6.12-amd64 linux-headers-6.12-amd64 linux-source-6.12
qemu-system-x86 kexec-tools busybox-static cpio xz-utils zstd kmod
asciidoctor bash-completion python3 ccache shellcheck dkms
bc flex bison libelf-dev libssl-dev openssl"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exec "$(dirname "$0")/install-qemu.sh"

echo "install-deps: installing:$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null 2>&1 || {
		echo "install-deps: need root to run: apt-get install$missing" >&2
		exit 1
	}
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
exec "$(dirname "$0")/install-qemu.sh"
