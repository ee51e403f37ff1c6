# SPDX-License-Identifier: GPL-2.0-only
#
# Measuring steps of the bench scenarios, sourced inside the test VM after
# tests/harness/lib.sh.  Every figure is appended to $OUT/raw.txt as one line
# "KEY VALUE" (one line per run); tests/bench/table.py turns the file into
# the results table.  Times come from the kernel: pkern's probe line, the
# driver core's "probe of X returned R after N usecs" (initcall_debug),
# or CLOCK_MONOTONIC around one synchronous command (pkbench time).
# shellcheck shell=bash

# shellcheck source=tests/harness/udev-lib.sh
. "$VM_TOP/tests/harness/udev-lib.sh"

PKB=$VM_B/bench/pkbench
RAW=$OUT/raw.txt

rec() { echo "$1 $2" >>"$RAW"; }

# regions: pkernN names, lowest address first
# shellcheck disable=SC2012	# sysfs names are plain words
regions() { ls /sys/class/pkern 2>/dev/null | sort -V; }
gib() { echo "$(($(cat "/sys/class/pkern/$1/size") >> 30))G"; }

# timed_ns CMD...: CMD's wall time in ns (CLOCK_MONOTONIC); fails on error
timed_ns() {
	"$PKB" time "$@" >/dev/null 2>"$OUT/timed.err" ||
		fail "'$*' failed: $(grep -v '^ns=' "$OUT/timed.err" | tail -n 1)"
	sed -n 's/^ns=//p' "$OUT/timed.err"
}

vmstat_memmap() { awk '$1 == "nr_memmap_pages" { print $2 }' /proc/vmstat; }

# pkern_loads K RUNS: RUNS module loads, each region's "K namespaces
# ready in T us" one restore sample.  The first load of a boot after a
# kexec is also recorded apart (restore.pkern-kexec.*); later ones
# unload the module first: the probe reads everything from the media
# again, as after a kexec.
pkern_loads() {
	local k=$1 runs=$2 i r n t line want after_kexec=0
	[ -d /sys/module/dax_pkern ] || [ "$PH" -eq 0 ] || after_kexec=1
	for i in $(seq "$runs"); do
		[ -d /sys/module/dax_pkern ] && must "rmmod dax_pkern" rmmod dax_pkern
		dmesg -C
		if [ "$i" -eq 1 ] && [ $after_kexec -eq 1 ]; then
			load_pkern
		else
			must "modprobe dax core" modprobe -a dax device_dax
			must "insmod dax_pkern" insmod "$KO"
		fi
		for r in $(seq 50); do
			want=$(regions | wc -l)
			n=$(dmesg | grep -cE 'pkern[0-9]+: [0-9]+ namespaces ready in')
			[ "$want" -gt 0 ] && [ "$n" -ge "$want" ] && break
			sleep 0.1
		done
		{ [ "$want" -gt 0 ] && [ "$n" -ge "$want" ]; } ||
			fail "only $n of $want pkern regions logged 'ready'"
		while read -r line; do
			r=$(echo "$line" | sed -E 's/.*(pkern[0-9]+): .*/\1/')
			n=$(echo "$line" | sed -E 's/.*: ([0-9]+) namespaces.*/\1/')
			t=$(echo "$line" | sed -E 's/.* ready in ([0-9]+) us.*/\1/')
			[ "$n" -eq "$k" ] || fail "$r came back with $n namespaces, expected $k"
			rec "restore.pkern.$(gib "$r").$k" "$t"
			[ "$i" -eq 1 ] && [ $after_kexec -eq 1 ] &&
				rec "restore.pkern-kexec.$(gib "$r").$k" "$t"
		done < <(dmesg | grep -E 'pkern[0-9]+: [0-9]+ namespaces ready in')
	done
}

# pkern_fill REGION FROM TO SIZE ALIGN: create namespaces bFROM..bTO
pkern_fill() {
	local i
	for i in $(seq "$2" "$3"); do
		ioctl_us create "$1" "b$i" "$4" "$5" >/dev/null
	done
}

# label_overhead: reserved label bytes per GiB of each region
label_overhead() {
	local r sz lab
	for r in $(regions); do
		sz=$(cat "/sys/class/pkern/$r/size")
		lab=$(cat "/sys/class/pkern/$r/label_size")
		rec "overhead.pkern.$(gib "$r")" "$((lab * 1073741824 / sz))"
	done
}

# ioctl_us create|destroy REGION NAME [SIZE ALIGN]: one control ioctl's
# time in us (pkbench issues it directly: no exec or scan in the figure)
ioctl_us() {
	local out
	out=$("$PKB" "$1" "/dev/$2" "${@:3}" 2>&1) || fail "pkbench $*: $out"
	echo $(($(echo "$out" | sed -n 's/^ns=//p') / 1000))
}

# ctl_latency REGION PRESENT RUNS: create + destroy of a 2 MiB guest
# namespace (the smallest device-dax can map) with PRESENT namespaces
ctl_latency() {
	local i
	for i in $(seq "$3"); do
		rec "ctl.create.$2" "$(ioctl_us create "$1" probe 2M 2M)"
		rec "ctl.destroy.$2" "$(ioctl_us destroy "$1" probe)"
	done
}

# touch_faults KEY WHAT SIZE: page faults to write every byte, per GiB
touch_faults() {
	local out f
	out=$("$PKB" touch "$2" "$3" 2>&1) || { log "skip $1: $out"; return 1; }
	f=$(echo "$out" | sed -n 's/.*minflt=\([0-9]*\).*/\1/p')
	[ -n "$f" ] || fail "pkbench touch printed '$out'"
	rec "$1" "$((f * 1073741824 / $(numfmt --from=iec "$3")))"
}

# pkern_faults REGION SIZE RUNS: per alignment, vmemmap bytes per GiB
# (nr_memmap_pages delta over create) and faults per GiB
pkern_faults() {
	local a m0 m1 i dev bytes
	bytes=$(numfmt --from=iec "$2")
	for a in 4K 2M 1G; do
		# an alignment above the size cannot be created
		[ "$(numfmt --from=iec "$a")" -le "$bytes" ] || continue
		m0=$(vmstat_memmap)
		pk create-namespace -r "$1" -n "f$a" -s "$2" -a "$a" >/dev/null
		m1=$(vmstat_memmap)
		rec "vmemmap.pkern.$a" "$(((m1 - m0) * 4096 * 1073741824 / bytes))"
		dev=$(ns_dev "f$a")
		for i in $(seq "$3"); do
			touch_faults "faults.pkern.$a" "$dev" "$2"
		done
		pk destroy-namespace "f$a" -r "$1" >/dev/null
	done
}

# ref_faults SIZE RUNS: anonymous memory and hugetlbfs, same size
ref_faults() {
	local i n h1=/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages
	n=$(($(numfmt --from=iec "$1") >> 21))
	for i in $(seq "$2"); do
		touch_faults faults.anon anon "$1"
		touch_faults faults.anon-4K anon-4K "$1"
	done
	echo "$n" >/proc/sys/vm/nr_hugepages
	if [ "$(cat /proc/sys/vm/nr_hugepages)" -ge "$n" ]; then
		for i in $(seq "$2"); do touch_faults faults.hugetlb-2M hugetlb-2M "$1"; done
	else
		log "skip hugetlb-2M: only $(cat /proc/sys/vm/nr_hugepages) of $n pages"
	fi
	echo 0 >/proc/sys/vm/nr_hugepages
	if [ -w "$h1" ] && echo $((($(numfmt --from=iec "$1") + (1 << 30) - 1) >> 30)) >"$h1" 2>/dev/null &&
	   [ "$(cat "$h1")" -gt 0 ]; then
		for i in $(seq "$2"); do touch_faults faults.hugetlb-1G hugetlb-1G "$1"; done
	else
		log "skip hugetlb-1G: no free 1 GiB page"
	fi
	[ -w "$h1" ] && echo 0 >"$h1"
}

# scrub_bw REGION SIZE RUNS: zeroing bandwidth of create (SIZE minus a
# 2 MiB create, ioctl times) and of a userspace memset over the same
# namespace once mapped, MiB/s
scrub_bw() {
	local i big tiny ms dev bytes
	bytes=$(numfmt --from=iec "$2")
	for i in $(seq "$3"); do
		tiny=$(ioctl_us create "$1" tiny 2M 2M)
		ioctl_us destroy "$1" tiny >/dev/null
		big=$(ioctl_us create "$1" big "$2" 2M)
		if [ "$big" -gt "$tiny" ]; then
			rec scrub.pkern "$(((bytes - 2097152) * 1000000 / (big - tiny) / 1048576))"
		else
			log "scrub sample dropped: create of $2 took $big us, of 2M $tiny us"
		fi
		dev=$(ns_dev big)
		ms=$("$PKB" memset "$dev" "$2") || fail "pkbench memset $dev: $ms"
		ms=$(echo "$ms" | sed -n 's/.*ns=\([0-9]*\).*/\1/p')
		rec scrub.memset "$((bytes * 1000000000 / ms / 1048576))"
		ioctl_us destroy "$1" big >/dev/null
	done
}

# ---- stock path: nd_e820 + nd_pmem + dax_pmem, one devdax per region ----

stock_load() {
	echo 1 >/sys/module/kernel/parameters/initcall_debug
	dmesg -C
	must "load stock pmem drivers" modprobe -a dax_pmem device_dax nd_pmem nd_e820
	cat /sys/bus/nd/devices/ndbus*/wait_probe >/dev/null 2>&1
}

# stock_ns_ids: region ids that have namespaceR.0
stock_ns_ids() {
	find /sys/bus/nd/devices -maxdepth 1 -name 'namespace*.0' 2>/dev/null |
		sed -E 's/.*namespace([0-9]+)\.0/\1/' | sort -n
}
stock_gib() { echo "$(($(cat "/sys/bus/nd/devices/region$1/size") >> 30))G"; }

# stock_probe_us R: namespaceR.0's probe plus its devdax probe (the
# dev_dax probe runs nested in dax_pmem's, so the longest daxR.* counts)
stock_probe_us() {
	dmesg | awk -v ns="namespace$1.0" -v dx="^dax$1[.]" '
		/probe of / && / returned .* after [0-9]+ usecs/ {
			for (i = 1; i <= NF; i++) if ($i == "of") d = $(i + 1)
			for (i = 1; i <= NF; i++) if ($i == "after") u = $(i + 1)
			if (d == ns) n += u
			else if (d ~ dx && u > x) x = u
		}
		END { if (x == 0) exit 1; print n + x }'
}

# stock_restore MODE RUNS: the load right after kexec (unless the
# drivers are already up), then disable/enable cycles of each namespace
stock_restore() {
	local r i us first=1
	if [ -d /sys/module/nd_e820 ]; then
		first=0
	else
		stock_load
		for r in $(stock_ns_ids); do
			wait_for "/dev/dax$r.0" 20 || fail "/dev/dax$r.0 not back"
		done
		for r in $(stock_ns_ids); do
			us=$(stock_probe_us "$r") || fail "no probe time for namespace$r.0 in dmesg"
			rec "restore.stock-$1.$(stock_gib "$r")" "$us"
			[ "$PH" -gt 0 ] && rec "restore.stock-$1-kexec.$(stock_gib "$r")" "$us"
		done
	fi
	echo 1 >/sys/module/kernel/parameters/initcall_debug
	for i in $(seq $((1 + first)) "$2"); do
		for r in $(stock_ns_ids); do
			must "disable namespace$r.0" ndctl disable-namespace "namespace$r.0"
			dmesg -C
			must "enable namespace$r.0" ndctl enable-namespace "namespace$r.0"
			us=$(stock_probe_us "$r") || fail "no probe time for namespace$r.0 in dmesg"
			rec "restore.stock-$1.$(stock_gib "$r")" "$us"
		done
	done
}

# stock_setup MODE: one devdax namespace over each region (map=MODE)
# and its reserved bytes per GiB (region size minus usable size)
stock_setup() {
	local r sz ns
	for r in $(stock_ns_ids); do
		must "create stock devdax map=$1 on region$r" \
			ndctl create-namespace -f -e "namespace$r.0" -m devdax -M "$1" -a 2M
		sz=$(cat "/sys/bus/nd/devices/region$r/size")
		ns=$(ndctl list -n "namespace$r.0" | jq -r '.. | objects | select(.size?) | .size' | head -n 1)
		[ -n "$ns" ] || fail "ndctl list shows no size for namespace$r.0"
		rec "overhead.stock-$1.$(stock_gib "$r")" "$(((sz - ns) * 1073741824 / sz))"
	done
}

# stock_vmemmap MODE R: kernel RAM for struct pages per GiB (enable)
stock_vmemmap() {
	local m0 m1 ns
	must "disable namespace$2.0" ndctl disable-namespace "namespace$2.0"
	m0=$(vmstat_memmap)
	must "enable namespace$2.0" ndctl enable-namespace "namespace$2.0"
	m1=$(vmstat_memmap)
	ns=$(ndctl list -n "namespace$2.0" | jq -r '.. | objects | select(.size?) | .size' | head -n 1)
	rec "vmemmap.stock-$1.2M" "$(((m1 - m0) * 4096 * 1073741824 / ns))"
}

# ---- pkern's share of the blackout ----------------------------------------
# From no driver loaded to the VMM's path for guest memory usable (a
# character device with device_dax bound): module load + namespaces ready
# + finding the device.  pkern finds it as the live-update tool did, by
# pkdaxctl list (HOW=lookup), or by the stable name udev makes
# (HOW=link); the stock path's VMM names /dev/daxR.0, the one namespace
# spanning the region, and looks nothing up.  Every figure is wall time
# (guest clock), polled every 10 ms.

# share_udev_up: udevd with the stable-names rule only: the autoload
# rule and the modprobe.d softdep would hand e820_pmem to pkern when the
# stock drivers load
share_udev_up() { udev_up /etc/udev/rules.d/61-dax-pkern-names.rules; }

us_since() {
	local a=${1/./} b=${EPOCHREALTIME/./}
	echo $((b - a))
}

# dax_usable PATH: PATH reaches a dax device that device_dax drives
dax_usable() {
	local d
	[ -c "$1" ] || return 1
	d=$(basename "$(readlink -f "$1")")
	[ -e "/sys/bus/dax/devices/$d/driver" ]
}

# lookup_dev NAME: the tool's former lookup, /dev/CHARDEV of NAME
lookup_dev() {
	local c
	c=$("$PKDAXCTL" list -r pkern0 -N -D 2>/dev/null |
		jq -r --arg n "$1" 'first(.. | objects | select(.name? == $n)) | .chardev // empty' 2>/dev/null)
	[ -n "$c" ] && echo "/dev/$c"
}

# settle_unloaded MOD...: unload MODs that are loaded, udev done with it
settle_unloaded() {
	local m
	for m in "$@"; do
		[ ! -d "/sys/module/$m" ] || must "rmmod $m" rmmod "$m"
	done
	udevadm settle -t 60 || log "udevadm settle timed out"
}

# share_pkern HOW NAME RUNS
share_pkern() {
	local i t0 d
	for i in $(seq "$3"); do
		settle_unloaded dax_pkern device_dax
		[ ! -e "/dev/pkern/pkern0/$2" ] || fail "/dev/pkern/pkern0/$2 outlived the driver"
		t0=$EPOCHREALTIME
		if ! modprobe device_dax || ! insmod "$KO"; then
			fail "loading dax_pkern failed"
		fi
		for _ in $(seq 3000); do
			case $1 in
			lookup) d=$(lookup_dev "$2") ;;
			link) d=/dev/pkern/pkern0/$2 ;;
			esac
			[ -n "$d" ] && dax_usable "$d" && break
			sleep 0.01
		done
		dax_usable "$d" || fail "namespace $2 not usable 30 s after loading dax_pkern ($1)"
		t0=$(us_since "$t0")
		rec "share.pkern-$1" "$t0"
		log "pkern's share ($1): $d usable after $t0 us (run $i)"
	done
}

# share_stock MODE RUNS (after stock_setup MODE)
share_stock() {
	local i t0 dbg
	dbg=$(cat /sys/module/kernel/parameters/initcall_debug)
	echo 0 >/sys/module/kernel/parameters/initcall_debug
	for i in $(seq "$2"); do
		# each bound nd device holds a reference on the bus provider
		if [ -d /sys/module/nd_e820 ]; then
			must "disable the stock regions" ndctl disable-region all
		fi
		settle_unloaded nd_e820 dax_pmem nd_pmem device_dax
		t0=$EPOCHREALTIME
		modprobe -a dax_pmem device_dax nd_pmem nd_e820 || fail "loading the stock pmem drivers failed"
		for _ in $(seq 3000); do
			dax_usable /dev/dax0.0 && break
			sleep 0.01
		done
		dax_usable /dev/dax0.0 || fail "/dev/dax0.0 not usable 30 s after loading the stock drivers"
		t0=$(us_since "$t0")
		rec "share.stock-$1" "$t0"
		log "stock share: /dev/dax0.0 usable after $t0 us (run $i)"
	done
	echo "$dbg" >/sys/module/kernel/parameters/initcall_debug
}
