#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# vm: mem=3G memmap=1G!4G timeout=420
#
# make demo, guest side: a hypervisor live update by kexec, narrated.
# Not part of check-vm (the scenarios cover the same ground with more
# checks); run by tests/vm/demo.sh, which prints the "pkern-demo:" lines.
. "$VM_TOP/tests/vm/lib.sh"

GUESTS="vm1:256M vm2:128M"

# step DESC CMD...: run CMD, narrate DESC with its wall time (guest clock)
step() {
	local desc=$1 t0=$EPOCHREALTIME out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	printf '%s\n' "$out" >>"$OUT/log"
	[ $rc -eq 0 ] || fail "$desc: $(printf '%s' "$out" | tail -n 1)"
	STEP_MS=$(ms_since "$t0")
	narrate "$(printf '  %-58s %7s ms' "$desc" "$STEP_MS")"
}

ms_since() {
	local a=${1/./} b=${EPOCHREALTIME/./}
	echo $(((b - a) / 1000))
}

case $PH in
0)
	narrate "boot 1: the running hypervisor ($(uname -r)), 1 GiB of DRAM reserved at 4 GiB (memmap=1G!4G)"
	step "modprobe dax_pkern: region pkern0 found ($(cat /proc/iomem 2>/dev/null | grep -c 'Persistent Memory') legacy pmem range)" load_pkern
	narrate "  region pkern0 is $(pkern_state): no labels yet"
	step "pkdaxctl init-labels -r pkern0" "$PKDAXCTL" init-labels -r pkern0
	for g in $GUESTS; do
		step "pkdaxctl create-namespace -n ${g%%:*} -s ${g#*:} -t guest -a 2M" \
			"$PKDAXCTL" create-namespace -r pkern0 -n "${g%%:*}" -s "${g#*:}" -t guest -a 2M
	done
	step "pkdaxctl create-namespace -n iommu-pt -s 16M -t iommu" \
		"$PKDAXCTL" create-namespace -r pkern0 -n iommu-pt -s 16M -t iommu -a 4K
	seed=1
	for g in $GUESTS; do
		n=${g%%:*}
		dev=$(ns_dev "$n") || exit 1
		save dev.$n "$dev"
		step "guest $n runs: VMM writes all of its memory ($dev)" \
			"$VMM" fill "$dev" $seed "$STATE/layout.$n"
		seed=$((seed + 1))
	done
	narrate "  daxctl sees: $(daxctl list -D | jq -c '[.[] | {chardev, size, align}]')"
	narrate "live update: guests paused, kexec into the new kernel"
	step "kexec -s -l (load the new kernel)" kexec_next
	;;
1)
	narrate "boot 2: new kernel up, userland $(boot_ms) ms after kexec -e (guest TSC)"
	t0=$EPOCHREALTIME
	load_pkern >>"$OUT/log"
	narrate "$(printf '  %-58s %7s ms' "modprobe dax_pkern" "$(ms_since "$t0")")"
	narrate "  kernel: $(dmesg | grep -oE 'pkern[0-9]+: [0-9]+ namespaces ready in .*' | tail -n 1)"
	narrate "  kexec -e -> guest memory ready: $READY_MS ms (of which kernel boot $BOOT_MS ms)"
	seed=1
	total=0
	for g in $GUESTS; do
		n=${g%%:*}
		dev=$(ns_dev "$n") || exit 1
		[ "$dev" = "$(get dev.$n)" ] || fail "$n came back as $dev, was $(get dev.$n)"
		step "guest $n: $dev back, same phys, every byte checked" \
			"$VMM" verify "$dev" $seed "$STATE/layout.$n"
		seed=$((seed + 1))
		total=$((total + $(numfmt --from=iec "${g#*:}")))
	done
	step "pkdaxctl check (labels consistent)" "$PKDAXCTL" check
	no_splat
	narrate "live update done: $((total >> 20)) MiB of guest memory kept across kexec; kexec -e -> ready $READY_MS ms"
	pass
	;;
esac
