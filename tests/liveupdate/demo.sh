#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make demo: build the patched kernel if needed (saying so, with
# progress), boot it in QEMU/TCG as the "hypervisor" and narrate the live
# update by kexec of a VM with an assigned device (scenarios/demo.sh).
HERE=$(cd "$(dirname "$0")" && pwd)
TOP=${TOP:-$(cd "$HERE/../.." && pwd)}
T0=$SECONDS

# the kernel build's compile lines, as one progress line every 30 s
progress() {
	local n=0 last=$SECONDS line
	while IFS= read -r line; do
		case $line in *" CC "* | *" LD "* | *" AR "*) n=$((n + 1)) ;; esac
		if [ $((SECONDS - last)) -ge 30 ]; then
			echo "  kernel build: $n steps done, $((SECONDS - T0)) s"
			last=$SECONDS
		fi
	done
}

echo "pkern demo: a VM with an assigned PCI device, live-updated by kexec (QEMU/TCG, no KVM: boots are slow)"
echo "building the patched test kernel and its modules (log: ${B:-$TOP/build}/kernel/build.log)"
echo "  cold: about 20 min on 2 cores; with a warm ccache a minute or two; up to date: seconds"
mkdir -p "${B:-$TOP/build}/kernel"
${MAKE:-make} -C "$TOP" --no-print-directory kernel kernel-modules 2>&1 |
	tee "${B:-$TOP/build}/kernel/build.log" | progress
[ "${PIPESTATUS[0]}" -eq 0 ] || {
	echo "kernel build failed; the end of ${B:-$TOP/build}/kernel/build.log:" >&2
	tail -n 20 "${B:-$TOP/build}/kernel/build.log" >&2
	exit 1
}
echo "  kernel ready after $((SECONDS - T0)) s"
"$HERE/../harness/run.sh" -f 'pkern-demo: .*' liveupdate/demo | sed -u 's/^pkern-demo: //'
rc=${PIPESTATUS[0]}
echo "demo wall time: $((SECONDS - T0)) s (host clock, includes the kernel build and both boots)"
exit "$rc"
