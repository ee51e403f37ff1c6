#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# make demo: boot a QEMU/TCG "hypervisor" on Debian's 6.12 kernel and
# narrate a live update by kexec with pkern (scenarios/demo.sh).
HERE=$(cd "$(dirname "$0")" && pwd)
T0=$SECONDS
echo "pkern demo: hypervisor live update by kexec (QEMU/TCG, no KVM: boots are slow)"
"$HERE/../harness/run.sh" -f 'pkern-demo: .*' liveupdate/demo | sed -u 's/^pkern-demo: //'
rc=${PIPESTATUS[0]}
echo "demo wall time: $((SECONDS - T0)) s (host clock, includes both boots)"
exit "$rc"
