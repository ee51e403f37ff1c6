#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Offline tests for pkdaxctl: every command and every refusal, on region
# images.  One PASS/FAIL line per case, a summary, non-zero exit on any
# failure.
#
#   run-tests.sh PKDAXCTL [WRAPPER...]
#
# WRAPPER (e.g. valgrind --error-exitcode=99 ...) is prepended to every
# pkdaxctl run; its own exit code must be one pkdaxctl never uses, so a
# finding shows up as a wrong exit code.  Set TESTS_QUICK=1 to run only a representative subset
# (used for the slow valgrind pass).
# shellcheck disable=SC2015	# "COND && pass X || fail X": pass and fail return 0
set -u

PK=$1
shift
WRAP=("$@")
QUICK=${TESTS_QUICK:-0}
TMP=$(mktemp -d /tmp/pkdaxctl-test.XXXXXX)
FULL=$TMP/full	# a tiny tmpfs, mounted by the full-filesystem cases
trap 'umount "$FULL" 2>/dev/null; umount "$TMP/ramfs" 2>/dev/null; rm -rf "$TMP"' EXIT

npass=0
nfail=0
failed=()
OUT=$TMP/out
ERR=$TMP/err
IMG=$TMP/img

pass() { echo "PASS $1"; npass=$((npass + 1)); }
fail() {
	echo "FAIL $1: $2"
	nfail=$((nfail + 1))
	failed+=("$1")
}

# pk ARGS: run pkdaxctl, stdout in $OUT, stderr in $ERR, exit code in $rc;
# with PK_PATH set, pkdaxctl runs with that PATH
pk() {
	PATH=${PK_PATH:-$PATH} "${WRAP[@]}" "$PK" "$@" >"$OUT" 2>"$ERR"
	rc=$?
}

# ok NAME ARGS: must succeed
ok() {
	local name=$1
	shift
	pk "$@"
	if [ $rc -ne 0 ]; then
		fail "$name" "exit $rc: $(head -c 300 "$ERR")"
		return 1
	fi
	pass "$name"
}

# refuse NAME RC PATTERN ARGS: must exit RC with exactly one stderr line
# matching PATTERN, nothing on stdout, and leave $IMG byte-identical
refuse() {
	local name=$1 want=$2 pat=$3 before=$TMP/before
	shift 3
	[ -e "$IMG" ] && cp "$IMG" "$before"
	pk "$@"
	if [ $rc -ne "$want" ]; then
		fail "$name" "exit $rc, want $want: $(head -c 300 "$ERR")"
	elif [ "$(grep -vc '^==[0-9]*==' "$ERR")" -ne 1 ]; then
		fail "$name" "want one stderr line, got: $(head -c 300 "$ERR")"
	elif ! grep -qE -- "$pat" "$ERR"; then
		fail "$name" "stderr does not match /$pat/: $(cat "$ERR")"
	elif [ -s "$OUT" ]; then
		fail "$name" "unexpected stdout: $(head -c 200 "$OUT")"
	elif [ -e "$before" ] && ! cmp -s "$IMG" "$before"; then
		fail "$name" "image changed by a refused command"
	else
		pass "$name"
	fi
	rm -f "$before"
}

# jqt NAME FILTER: jq -e FILTER on the last stdout (jq -e passes an empty
# input, so an empty stdout fails here)
jqt() {
	if [ -s "$OUT" ] && jq -e "$2" "$OUT" >/dev/null 2>&1; then
		pass "$1"
	else
		fail "$1" "jq -e '$2' false on: $(head -c 400 "$OUT")"
	fi
}

# poke OFFSET BYTES...: overwrite bytes of the image in place (hex)
poke() {
	local off=$1
	shift
	printf '%b' "$(printf '\\x%s' "$@")" |
		dd of="$IMG" bs=1 seek=$((off)) conv=notrunc status=none
}

# is_zero OFFSET LEN: the image range reads as zeros
is_zero() {
	cmp -s -n "$2" <(dd if="$IMG" bs=4096 skip=$(($1 / 4096)) count=$(($2 / 4096)) status=none) /dev/zero
}

fill() {	# fill OFFSET LEN: non-zero pattern
	yes pkern | head -c "$2" | dd of="$IMG" bs=4096 seek=$(($1 / 4096)) conv=notrunc status=none
}

M=$((1024 * 1024))

# full CMD...: only in the full run; the valgrind pass skips cases that
# only exercise argument parsing (covered by the cmocka tests under ASan)
full() { [ "$QUICK" = 1 ] || "$@"; }

# ---- general ------------------------------------------------------------
ok version --version && grep -q '^pkdaxctl 0\.9\.0 (label format 1\.1' "$OUT" &&
	pass version-text || fail version-text "$(cat "$OUT")"
# as ndctl and daxctl: -v before the command is the version
ok version-short -v && grep -q '^pkdaxctl 0\.9\.0 ' "$OUT" &&
	pass version-short-text || fail version-short-text "$(cat "$OUT")"
ok version-cmd version && grep -q '^pkdaxctl 0\.9\.0 ' "$OUT" &&
	pass version-cmd-text || fail version-cmd-text "$(cat "$OUT")"
ok help --help
# --help and "help CMD" open the manual page, as ndctl does; a stand-in
# man records what it was asked for
mkdir -p "$TMP/fakeman"
printf '#!/bin/sh\necho "man $*"\n' >"$TMP/fakeman/man"
chmod +x "$TMP/fakeman/man"
if [ "$QUICK" != 1 ]; then
	PK_PATH=$TMP/fakeman:$PATH ok man-help-option list --help &&
		grep -qx "man pkdaxctl-list" "$OUT" && pass man-help-option-page ||
		fail man-help-option-page "$(cat "$OUT")"
	PK_PATH=$TMP/fakeman:$PATH ok man-help-cmd help create-namespace &&
		grep -qx "man pkdaxctl-create-namespace" "$OUT" && pass man-help-cmd-page ||
		fail man-help-cmd-page "$(cat "$OUT")"
fi
# without man, or without the page: one line, non-zero, and -h to fall back on
mkdir -p "$TMP/noman"
PK_PATH=$TMP/noman full refuse man-missing 1 "man is not installed; pkdaxctl check -h lists the options" check --help
printf '#!/bin/sh\nexit 16\n' >"$TMP/noman/man"
chmod +x "$TMP/noman/man"
PK_PATH=$TMP/noman full refuse man-page-missing 1 "no manual page pkdaxctl-check is installed" help check
full refuse help-unknown-cmd 2 "unknown command 'frob'" help frob
full refuse unknown-command 2 "unknown command 'frob'" frob
full refuse unknown-option 2 "unknown option '--frob'; see pkdaxctl list --help" list --frob
full refuse unknown-short-option 2 "unknown option '-Z'" list -Z
full refuse missing-value 2 "option '--region' needs a value" list --region
DOC=$(dirname "$0")/../../tools/pkdaxctl/Documentation
man_source() {	# man_source CMD: the page's source and the files it includes
	local page=$DOC/pkdaxctl-$1.txt inc

	cat "$page" || return
	sed -n 's/^include::\(.*\)\[\]$/\1/p' "$page" | while read -r inc; do
		cat "$DOC/$inc"
	done
}
[ "$QUICK" = 1 ] || for c in list create-namespace destroy-namespace init-labels check inspect clear-errors read-labels write-labels; do
	ok "help-$c" "$c" -h && grep -q "^usage: pkdaxctl $c" "$OUT" &&
		pass "help-$c-text" || fail "help-$c-text" "$(head -n 1 "$OUT")"
	# --help and the completion are made from one table: same options
	cp "$OUT" "$TMP/help"
	pk --list-opts "$c"
	cp "$OUT" "$TMP/opts"
	[ $rc -eq 0 ] && [ -s "$TMP/opts" ] && while read -r line; do
		grep -qF -- "${line/ /, }" "$TMP/help" || echo "$line"
	done <"$TMP/opts" >"$TMP/missing" && [ ! -s "$TMP/missing" ] &&
		pass "help-$c-opts" || fail "help-$c-opts" "exit $rc, not in --help: $(cat "$TMP/missing")"
	# and the man page, with the option descriptions it includes, has an
	# entry for each ("*-r*, *--region*=_REGION_::")
	man_source "$c" >"$TMP/man"
	while read -r line; do
		long=${line##* }
		long=${long%%=*}
		grep -qE -- "^(\*-.\*, )?\*$long\*(=.*)?::$" "$TMP/man" || echo "$long"
	done <"$TMP/opts" >"$TMP/missing"
	[ -s "$TMP/man" ] && [ ! -s "$TMP/missing" ] && pass "man-$c-opts" ||
		fail "man-$c-opts" "not in pkdaxctl-$c.txt: $(cat "$TMP/missing")"
done
full refuse list-opts-unknown 2 "unknown command 'frob'" --list-opts frob

# ---- init-labels ----------------------------------------------------------
refuse init-missing-image 1 "does not exist; create it with" \
	init-labels --image "$IMG"
[ -e "$IMG" ] && fail init-missing-image-created "file appeared" ||
	pass init-missing-image-not-created
refuse init-too-small 1 "too small for a pkern region" \
	init-labels --image "$IMG" --size 16K
[ -e "$IMG" ] && fail init-too-small-created "file appeared" ||
	pass init-too-small-not-created
refuse init-too-small-slots 1 "is too small for 512 label slots plus data" \
	init-labels --image "$IMG" --size 64K
[ -e "$IMG" ] && fail init-too-small-created "file appeared" ||
	pass init-too-small-not-created
refuse init-size-unaligned 1 "not a multiple of 4096" \
	init-labels --image "$IMG" --size 1000001
full refuse init-bad-suffix 2 "invalid size '64Q'" init-labels --image "$IMG" --size 64Q
full refuse init-size-live 2 "--size only applies to --image" init-labels -r pkern0 --size 1G
full refuse init-bad-slots 2 "invalid --slots '60'" init-labels --image "$IMG" --size 64M --slots 60
full refuse init-bad-uuid 2 "invalid UUID 'nope'" init-labels --image "$IMG" --size 64M --uuid nope
full refuse init-null-uuid 2 "invalid UUID" init-labels --image "$IMG" --size 64M \
	--uuid 00000000-0000-0000-0000-000000000000
refuse init-too-many-slots 1 "too small for 1024 label slots" \
	init-labels --image "$IMG" --size 260K --slots 1024
[ -e "$IMG" ] && fail init-failed-format-removes "half-made image left" ||
	pass init-failed-format-removes

RUUID=0f8b1f2e-6a1c-4c63-9a55-3f1f5b8e0c11
ok init-create init-labels --image "$IMG" --size 64M --uuid $RUUID
jqt init-json ".state == \"ready\" and .nslots == 512 and .size == $((64 * M)) and .uuid == \"$RUUID\" and .nr_namespaces == 0"
[ "$(stat -c %s "$IMG")" -eq $((64 * M)) ] && pass init-file-size ||
	fail init-file-size "$(stat -c %s "$IMG")"
refuse init-size-mismatch 1 "already exists with 67108864 bytes" \
	init-labels --image "$IMG" --size 32M
refuse init-empty-again 1 "is already formatted \(pkern labels, no namespaces, generation 1\); nothing was changed; .*add --force" \
	init-labels --image "$IMG"
# an unformatted image formats only if its label area is all zero
IMG_SAVE=$IMG
IMG=$TMP/foreign
truncate -s 16M "$IMG"
printf 'not labels' | dd of="$IMG" bs=1 seek=$((0x1234)) conv=notrunc status=none
refuse init-foreign 1 "the first 144 KiB, where the labels go, hold data that is not pkern labels \(first non-zero byte at offset 4660, 0x1234\); nothing was changed; if that data is not needed, add --force" \
	init-labels --image "$IMG"
ok init-foreign-force init-labels --image "$IMG" --force
rm -f "$IMG"
truncate -s 16M "$IMG"
printf 'data' | dd of="$IMG" bs=1 seek=$((4 * M)) conv=notrunc status=none
ok init-zero-label-area init-labels --image "$IMG"
rm -f "$IMG"
IMG=$IMG_SAVE
ok check-fresh check --image "$IMG"
grep -q "clean: 0 namespaces" "$OUT" && pass check-fresh-text ||
	fail check-fresh-text "$(cat "$OUT")"

# ---- create-namespace -------------------------------------------------------
ok create-vm1 create-namespace --image "$IMG" -n vm1 -s 16M
jqt create-vm1-json '.name == "vm1" and .kind == "guest" and .size == 16777216 and .align == 2097152 and .slot == 0 and (.offset % 2097152 == 0) and .region != null'
VM1_OFF=$(jq .offset "$OUT")
fill $((VM1_OFF + 16 * M)) $((8 * M))	# stale data where the next one lands
ok create-pool create-namespace --image "$IMG" -n pool -t iommu -s 8M \
	-u 11111111-2222-4333-8444-555555555555
jqt create-pool-json '.kind == "iommu" and .align == 4096 and .uuid == "11111111-2222-4333-8444-555555555555"'
POOL_OFF=$(jq .offset "$OUT")
is_zero "$POOL_OFF" $((8 * M)) && pass create-scrubs ||
	fail create-scrubs "new namespace not zeroed"

ok list list --image "$IMG"
jqt list-two '.[0].namespaces | length == 2'
jqt list-names '[.[0].namespaces[].name] == ["vm1", "pool"]'
jqt list-region-keys '.[0] | has("dev") and has("size") and has("available_size") and has("max_available_extent") and has("uuid") and .state == "ready" and .generation == 3'
jqt list-space ".[0].available_size == $((64 * M - 147456 - 24 * M))"
ok list-human list --image "$IMG" -u
jqt list-human-size '.[0].size == "64.00 MiB (67.11 MB)" and .[0].namespaces[0].size == "16.00 MiB (16.78 MB)" and (.[0].namespaces[0].offset | startswith("0x"))'
ok list-regions-only list --image "$IMG" -R
jqt list-regions-only-json 'length == 1 and (.[0] | has("namespaces") | not)'
ok list-ns-only list --image "$IMG" -N
jqt list-ns-only-json 'length == 2 and .[0].region != null and .[1].name == "pool"'
ok list-ns-filter list --image "$IMG" -N -n pool
jqt list-ns-filter-json 'length == 1 and .[0].name == "pool"'
ok list-ns-filter-uuid list --image "$IMG" -N -n 11111111-2222-4333-8444-555555555555
jqt list-ns-filter-uuid-json 'length == 1 and .[0].name == "pool"'
ok list-devices-offline list --image "$IMG" -D
jqt list-devices-offline-json '.[0].namespaces[0] | has("chardev") | not'

refuse create-dup-name 1 "name 'vm1' is already used in .* \(slot 0\)" \
	create-namespace --image "$IMG" -n vm1 -s 2M
refuse create-dup-uuid 1 "UUID is already used by 'pool'" \
	create-namespace --image "$IMG" -n x -s 2M -u 11111111-2222-4333-8444-555555555555
full refuse create-unaligned-size 2 "not a non-zero multiple of the alignment 2.00 MiB.*-s 4194304" \
	create-namespace --image "$IMG" -n x -s 3M
full refuse create-zero-size 2 "not a non-zero multiple" create-namespace --image "$IMG" -n x -s 0
full refuse create-bad-suffix 2 "invalid size '4X'" create-namespace --image "$IMG" -n x -s 4X
full refuse create-negative 2 "invalid size '-4M'" create-namespace --image "$IMG" -n x -s -4M
full refuse create-overflow 2 "too large" create-namespace --image "$IMG" -n x -s 99999999999T
full refuse create-bad-align 2 "invalid alignment '3M': use 4K, 2M or 1G" \
	create-namespace --image "$IMG" -n x -s 4M -a 3M
full refuse create-bad-type 2 "invalid type 'disk'" create-namespace --image "$IMG" -n x -s 4M -t disk
full refuse create-bad-name 2 "invalid name 'a b'" create-namespace --image "$IMG" -n 'a b' -s 2M
full refuse create-bad-name-start 2 "invalid name '-x'" create-namespace --image "$IMG" -n -x -s 2M
full refuse create-long-name 2 "invalid name" create-namespace --image "$IMG" \
	-n "$(printf 'a%.0s' $(seq 64))" -s 2M
full refuse create-missing-name 2 "missing --name" create-namespace --image "$IMG" -s 2M
full refuse create-bad-uuid 2 "invalid UUID '1234'" create-namespace --image "$IMG" -n x -s 2M -u 1234
refuse create-no-space 1 "no space in .* for 1024.00 MiB \(1073.74 MB\) at alignment 2.00 MiB .*largest free extent is [0-9]+ bytes \(38" \
	create-namespace --image "$IMG" -n big -s 1G
refuse create-no-space-1g 1 "largest free extent is 0 bytes" \
	create-namespace --image "$IMG" -n big -s 1G -a 1G
refuse create-offset-busy 1 "is not free in" \
	create-namespace --image "$IMG" -n x -s 2M --offset "$VM1_OFF"
refuse create-offset-labels 1 "not free in|outside the data area" \
	create-namespace --image "$IMG" -n x -s 2M --offset 0
refuse create-offset-beyond 1 "not free in|outside the data area" \
	create-namespace --image "$IMG" -n x -s 2M --offset 64M
full refuse create-offset-unaligned 2 "offset 0x1000 is not a multiple of the alignment" \
	create-namespace --image "$IMG" -n x -s 2M --offset 4K
refuse create-region-mismatch 1 "drop -r pkern0" \
	create-namespace --image "$IMG" -r pkern0 -n x -s 2M
full refuse create-extra-arg 2 "unexpected argument 'extra'" \
	create-namespace --image "$IMG" -n x -s 2M extra

ok create-fixed-offset create-namespace --image "$IMG" -n fixed -s 2M --offset 0x3000000
jqt create-fixed-offset-json '.offset == 50331648'
ok create-fill create-namespace --image "$IMG" -n rest -a 4K
jqt create-fill-json '.size > 0'
# first-fit leaves gaps before "rest"; guest memory starts on 2 MiB, so
# take the 4 KiB gaps with page-table pools, then nothing is left
for i in 1 2 3 4 5 6 7 8; do
	pk create-namespace --image "$IMG" -n "gap$i" -t iommu -a 4K || break
done
refuse create-full 1 "no free space in .* at alignment 4096" \
	create-namespace --image "$IMG" -n more -t iommu -a 4K
refuse create-guest-unplaced 2 "guest namespaces start and end on 2 MiB boundaries" \
	create-namespace --image "$IMG" -n more -s 12K -a 4K
for i in 1 2 3 4 5 6 7 8; do
	pk destroy-namespace --image "$IMG" "gap$i" || break
done
ok destroy-rest destroy-namespace --image "$IMG" rest
ok destroy-fixed destroy-namespace --image "$IMG" fixed

# ---- concurrent updates of one image take turns (flock) ------------------------
if [ "$QUICK" != 1 ]; then
	for i in 1 2 3 4; do
		"${WRAP[@]}" "$PK" create-namespace --image "$IMG" -n "par$i" -s 2M \
			>/dev/null 2>"$TMP/par$i.err" &
	done
	wait
	pk list --image "$IMG" -N
	jqt concurrent-creates '[.[] | select(.name | startswith("par"))] | length == 4'
	ok concurrent-check check --image "$IMG"
	for i in 1 2 3 4; do
		pk destroy-namespace --image "$IMG" "par$i"
	done
fi

# ---- waiting for the image lock says so; --timeout gives up -------------------
if [ "$QUICK" != 1 ]; then
	# hold FILE's lock (flock(1) MODE -x or -s) until $TMP/release
	# appears; flock's pid, which holds it, in $LOCKPID
	hold_lock() {
		rm -f "$TMP/locked" "$TMP/release"
		# shellcheck disable=SC2016	# $1 is the inner shell's
		flock "$1" "$IMG" sh -c 'touch "$1/locked"; while [ ! -e "$1/release" ]; do sleep 0.1; done' sh "$TMP" &
		LOCKPID=$!
		while [ ! -e "$TMP/locked" ]; do sleep 0.1; done
	}
	release_lock() { touch "$TMP/release"; wait; }
	hold_lock -x
	cp "$IMG" "$TMP/lock-before"
	# after a moment it says what it waits for, naming the holder
	pk list --image "$IMG" --timeout 2
	[ $rc -eq 1 ] && [ ! -s "$OUT" ] &&
		grep -q "^pkdaxctl list: waiting for the lock on image .*: pid $LOCKPID (flock) is changing it$" "$ERR" &&
		grep -q "^pkdaxctl list: gave up after 2 s waiting for the lock on image .*: pid $LOCKPID (flock) still holds it; nothing was done$" "$ERR" &&
		[ "$(grep -vc '^==[0-9]*==' "$ERR")" -eq 2 ] && pass lock-timeout ||
		fail lock-timeout "exit $rc: $(cat "$ERR")"
	pk create-namespace --image "$IMG" -n x -s 2M --timeout 0
	[ $rc -eq 1 ] && [ "$(grep -vc '^==[0-9]*==' "$ERR")" -eq 1 ] &&
		grep -q "gave up after 0 s waiting for the lock" "$ERR" &&
		cmp -s "$IMG" "$TMP/lock-before" && pass lock-timeout-0 ||
		fail lock-timeout-0 "exit $rc: $(cat "$ERR")"
	pk check --image "$IMG" --timeout 0
	[ $rc -eq 2 ] && grep -q "gave up after 0 s" "$ERR" && pass lock-timeout-check ||
		fail lock-timeout-check "exit $rc: $(cat "$ERR")"
	# without --timeout: one line saying what it waits for, then it runs
	(sleep 2; touch "$TMP/release") &
	pk list --image "$IMG" -N
	wait
	[ $rc -eq 0 ] && [ "$(grep -vc '^==[0-9]*==' "$ERR")" -eq 1 ] &&
		grep -q "waiting for the lock on image .*: pid $LOCKPID (flock) is changing it (--timeout SECONDS gives up)$" "$ERR" &&
		pass lock-wait || fail lock-wait "exit $rc: $(cat "$ERR")"
	jqt lock-wait-json 'length == 2'
	# a wait of a moment, another run's update, passes without a word
	hold_lock -x
	(sleep 0.1; touch "$TMP/release") &
	pk list --image "$IMG" -N
	wait
	[ $rc -eq 0 ] && [ "$(grep -vc '^==[0-9]*==' "$ERR")" -eq 0 ] &&
		pass lock-short-wait || fail lock-short-wait "exit $rc: $(cat "$ERR")"
	# readers share the lock: a reader holding it blocks writers only
	hold_lock -s
	pk inspect --image "$IMG" --timeout 0
	[ $rc -eq 0 ] && [ ! -s "$ERR" ] && pass lock-shared-reader ||
		fail lock-shared-reader "exit $rc: $(cat "$ERR")"
	pk destroy-namespace --image "$IMG" vm1 --timeout 0
	[ $rc -eq 1 ] && grep -q "gave up after 0 s" "$ERR" && pass lock-shared-writer ||
		fail lock-shared-writer "exit $rc: $(cat "$ERR")"
	release_lock
	full refuse lock-bad-timeout 2 "invalid --timeout 'soon'" list --image "$IMG" --timeout soon
	full refuse lock-timeout-live 1 "--timeout applies to --image only" list --timeout 1
fi

# ---- messages: one line whatever the input, a reason for every failure --------
refuse name-newline 2 "invalid name 'a\\\\nb'" create-namespace --image "$IMG" -n $'a\nb' -s 2M
refuse destroy-newline 1 "no namespace named 'x\\\\ny'" destroy-namespace --image "$IMG" $'x\ny'
refuse list-newline 1 "image .*/no\\\\nne does not exist" list --image "$TMP/"$'no\nne'
full refuse command-newline 2 "unknown command 'fr\\\\x01ob'" $'fr\001ob'
refuse dev-null 1 "image /dev/null is a character device, not a region image file or a device-dax device" \
	list --image /dev/null
refuse dir-image 1 "image .* is a directory, not a region image file" list --image "$TMP"
refuse image-empty 2 "^pkdaxctl list: --image needs a file name, not an empty string$" list --image ""
refuse image-empty-init 2 "--image needs a file name" init-labels --image "" --size 64M
refuse image-empty-eq 2 "--image needs a file name" create-namespace --image= -n x -s 2M

# ---- check / inspect ------------------------------------------------------
ok check-clean check --image "$IMG"
grep -q "clean: 2 namespaces" "$OUT" && pass check-clean-text || fail check-clean-text "$(cat "$OUT")"
ok check-json check --image "$IMG" --json
jqt check-json-clean '.[0].checked and (.[0].problems | length == 0) and .[0].state == "ready"'
ok inspect inspect --image "$IMG"
jqt inspect-sb '.[0].superblocks | length == 2 and ([.[] | select(.live)] | length == 1) and (.[0].nslots == 512)'
jqt inspect-index '.[0].index_blocks | length == 2 and ([.[] | select(.live)] | length == 1)'
jqt inspect-used '[.[0].slots[] | select(.used)] | length == 2'
jqt inspect-stale 'any(.[0].slots[]; (.used | not) and .label.checksum_ok and (.label.name | test("^(rest|fixed|gap[0-9]|par[0-9])$")))'
jqt inspect-empty '.[0].empty_slots >= 500'

# ---- readers open the image read-only ------------------------------------------
# A 0444 image: root ignores the mode, so as root the readers run as
# nobody (setpriv), which sees the mode like any unprivileged user.
RUNAS=()
[ "$(id -u)" -eq 0 ] && RUNAS=(setpriv --reuid=65534 --regid=65534 --clear-groups)
if [ ${#RUNAS[@]} -eq 0 ] || command -v setpriv >/dev/null; then
	mkdir -p "$TMP/ro"
	chmod 0755 "$TMP" "$TMP/ro"
	cp "$IMG" "$TMP/ro/img"
	chmod 0444 "$TMP/ro/img"
	cp "$TMP/ro/img" "$TMP/ro-before"
	pkro() { "${RUNAS[@]}" "${WRAP[@]}" "$PK" "$@" >"$OUT" 2>"$ERR"; rc=$?; }
	pkro list --image "$TMP/ro/img"
	[ $rc -eq 0 ] && pass ro-list || fail ro-list "exit $rc: $(cat "$ERR")"
	jqt ro-list-json '.[0].namespaces | length == 2'
	pkro check --image "$TMP/ro/img"
	[ $rc -eq 0 ] && grep -q "clean: 2 namespaces" "$OUT" && pass ro-check ||
		fail ro-check "exit $rc: $(cat "$OUT" "$ERR")"
	pkro inspect --image "$TMP/ro/img"
	[ $rc -eq 0 ] && pass ro-inspect || fail ro-inspect "exit $rc: $(cat "$ERR")"
	jqt ro-inspect-json '[.[0].slots[] | select(.used)] | length == 2'
	pkro create-namespace --image "$TMP/ro/img" -n x -s 2M
	[ $rc -eq 1 ] && grep -q "Permission denied" "$ERR" && pass ro-create-refused ||
		fail ro-create-refused "exit $rc: $(cat "$ERR")"
	cmp -s "$TMP/ro/img" "$TMP/ro-before" && pass ro-unchanged ||
		fail ro-unchanged "read-only image changed"
	chmod 0700 "$TMP"
else
	echo "SKIP read-only image cases: running as root without setpriv"
fi

# ---- destroy-namespace ------------------------------------------------------
fill "$VM1_OFF" $((4 * M))
refuse destroy-missing 1 "no namespace named 'nope' in " destroy-namespace --image "$IMG" nope
full refuse destroy-no-arg 2 "missing NAME or UUID" destroy-namespace --image "$IMG"
full refuse destroy-two-args 2 "one namespace at a time" destroy-namespace --image "$IMG" vm1 pool
ok destroy-vm1 destroy-namespace --image "$IMG" vm1
is_zero "$VM1_OFF" $((16 * M)) && pass destroy-scrubs || fail destroy-scrubs "destroyed namespace not zeroed"
ok destroy-by-uuid destroy-namespace --image "$IMG" 11111111-2222-4333-8444-555555555555
ok list-empty list --image "$IMG"
jqt list-empty-json '.[0].namespaces | length == 0'

# ---- init-labels refusal and force ---------------------------------------------
ok create-a create-namespace --image "$IMG" -n a -s 2M
ok create-b create-namespace --image "$IMG" -n b -s 2M
refuse init-has-labels 1 "holds 2 namespaces .*would lose them; add --force" \
	init-labels --image "$IMG"
ok init-force init-labels --image "$IMG" --force
jqt init-force-json '.nr_namespaces == 0'

if [ "$QUICK" != 1 ]; then
# ---- damaged media ------------------------------------------------------------
ok create-c create-namespace --image "$IMG" -n c -s 2M
ok create-d create-namespace --image "$IMG" -n d -s 2M
poke $((0x4000 + 20)) 58	# slot 0: a byte of the name, CRC now wrong
pk check --image "$IMG"
[ $rc -eq 1 ] && grep -q "slot 0: .*checksum" "$OUT" && pass check-bad-label ||
	fail check-bad-label "exit $rc: $(cat "$OUT" "$ERR")"
[ "$(wc -l <"$OUT")" -eq 1 ] && pass check-one-line || fail check-one-line "$(cat "$OUT")"
pk check --image "$IMG" --json
jqt check-bad-label-json '.[0].problems | length == 1 and .[0].slot == 0 and .[0].severity == "error"'
ok list-bad-label list --image "$IMG"
jqt list-bad-label-json '.[0].namespaces[0].problem != null and .[0].namespaces[1].name == "d"'
ok inspect-bad-label inspect --image "$IMG"
jqt inspect-bad-label-json '.[0].slots[0].usable == false and .[0].slots[0].raw.checksum_ok == false and .[0].slots[0].raw.name == "c" and (.[0].slots[0].label | has("name") | not)'

refuse destroy-slot-empty 1 "slot 7 of .* holds no namespace" \
	destroy-namespace --image "$IMG" --slot 7
refuse destroy-slot-live 2 "--slot works on images only" destroy-namespace --slot 0
refuse destroy-slot-and-name 2 "either NAME\|UUID or --slot" \
	destroy-namespace --image "$IMG" --slot 0 d
refuse destroy-slot-bad 2 "invalid --slot 'x'" destroy-namespace --image "$IMG" --slot x
ok destroy-slot-repair destroy-namespace --image "$IMG" --slot 0
ok check-repaired check --image "$IMG"
ok list-repaired list --image "$IMG" -N
jqt list-repaired-json 'length == 1 and .[0].name == "d"'

ok init-twice init-labels --image "$IMG" --force --uuid $RUUID
ok init-thrice init-labels --image "$IMG" --force --uuid $RUUID
poke 100 ff	# a byte of copy 0's UUID (0x5b, so a change): copy 1 still good
pk check --image "$IMG"
[ $rc -eq 1 ] && grep -q "superblock" "$OUT" && pass check-bad-sb ||
	fail check-bad-sb "exit $rc: $(cat "$OUT" "$ERR")"
ok list-bad-sb list --image "$IMG"
jqt list-bad-sb-state '.[0].state == "ready"'

ok create-e create-namespace --image "$IMG" -n e -s 2M
cp "$IMG" "$TMP/keep"
truncate -s 128M "$IMG"
pk check --image "$IMG"
[ $rc -eq 1 ] && grep -q "formatted for 67108864 bytes" "$OUT" &&
	pass check-size-changed || fail check-size-changed "exit $rc: $(cat "$OUT" "$ERR")"
ok list-size-changed list --image "$IMG"
jqt list-size-changed-json '.[0].state == "size_changed" and .[0].recorded_size == 67108864'
refuse create-size-changed 1 "image .* was formatted for 67108864 bytes but is 134217728 bytes: resize it back \(truncate -s 67108864 .*\) to use its namespaces \(init-labels --force would lose them\)" \
	create-namespace --image "$IMG" -n x -s 2M
grep -q "memmap" "$ERR" && fail create-size-changed-advice "$(cat "$ERR")" ||
	pass create-size-changed-advice
refuse destroy-size-changed 1 "image .* was formatted for 67108864 bytes but is 134217728 bytes: resize it back \(truncate -s 67108864 .*\) to use its namespaces" \
	destroy-namespace --image "$IMG" e
refuse init-size-changed 1 "holds 1 namespace \(state size_changed\); formatting would lose it" \
	init-labels --image "$IMG"
cp "$TMP/keep" "$IMG"

rm -f "$IMG"
truncate -s 16M "$IMG"
pk check --image "$IMG"
[ $rc -eq 1 ] && grep -q "region: " "$OUT" && pass check-unformatted ||
	fail check-unformatted "exit $rc: $(cat "$OUT" "$ERR")"
ok list-unformatted list --image "$IMG"
jqt list-unformatted-json '.[0].state == "unformatted" and (.[0].namespaces | length == 0)'
refuse create-unformatted 1 "has no labels; format it first with: pkdaxctl init-labels --image" \
	create-namespace --image "$IMG" -n x -s 2M
ok inspect-unformatted inspect --image "$IMG"
jqt inspect-unformatted-json '.[0].superblocks[0].blank and .[0].superblocks[1].blank'

# ---- superblock copies: one flipped bit must never lose the labels ---------
sb_twins() {	# both superblock copies byte-identical
	cmp -s <(dd if="$IMG" bs=256 count=1 status=none) \
		<(dd if="$IMG" bs=256 skip=16 count=1 status=none)
}
rm -f "$IMG"
ok sb-init init-labels --image "$IMG" --size 64M
ok sb-create create-namespace --image "$IMG" -n keep -s 4M
sb_twins && pass sb-format-twins || fail sb-format-twins "copies differ"
poke 16 00	# one bit of copy 0's sequence (1 -> 0): copy 1 stands
ok sb-flip-list list --image "$IMG"
jqt sb-flip-list-json '.[0].state == "ready" and .[0].namespaces[0].name == "keep"'
pk check --image "$IMG"
[ $rc -eq 1 ] && grep -q "superblock 0: .*check --repair restores this one" "$OUT" &&
	pass sb-flip-check || fail sb-flip-check "exit $rc: $(cat "$OUT" "$ERR")"
refuse sb-flip-init 1 "holds 1 namespace" init-labels --image "$IMG"
ok sb-flip-repair check --repair --image "$IMG"
grep -q "superblock copy 0 restored from copy 1" "$OUT" && grep -q "clean: 1 namespace" "$OUT" &&
	sb_twins && pass sb-flip-repaired || fail sb-flip-repaired "$(cat "$OUT" "$ERR")"
ok sb-repair-noop check --repair --image "$IMG"
grep -q "nothing to repair" "$OUT" && pass sb-repair-noop-text ||
	fail sb-repair-noop-text "$(cat "$OUT")"
refuse sb-repair-json 2 "--repair prints text lines" check --image "$IMG" --repair --json

# a format that wrote one copy left copy 1 blank; then copy 0 flips
dd if=/dev/zero of="$IMG" bs=4096 seek=1 count=1 conv=notrunc status=none
pk check --image "$IMG"
[ $rc -eq 1 ] && grep -q "superblock 1: superblock copy is blank" "$OUT" &&
	pass sb-blank-check || fail sb-blank-check "exit $rc: $(cat "$OUT" "$ERR")"
poke 16 00
ok sb-damaged-list list --image "$IMG"
jqt sb-damaged-list-json '.[0].state == "corrupt"'
pk check --image "$IMG"
[ $rc -eq 1 ] && grep -q "superblock damaged, no valid copy (labels may still be intact" "$OUT" &&
	! grep -q "init-labels" "$OUT" && pass sb-damaged-check ||
	fail sb-damaged-check "exit $rc: $(cat "$OUT" "$ERR")"
refuse sb-damaged-init 1 "label area is damaged .*may still be intact; nothing was changed; run: pkdaxctl check --image" \
	init-labels --image "$IMG"
grep -q -- "--force" "$ERR" && fail sb-damaged-init-advice "$(cat "$ERR")" ||
	pass sb-damaged-init-advice
cp "$IMG" "$TMP/damaged"
pk check --repair --image "$IMG"
[ $rc -eq 1 ] && grep -q "no automatic repair is possible and nothing was changed" "$ERR" &&
	cmp -s "$IMG" "$TMP/damaged" && pass sb-damaged-repair-refused ||
	fail sb-damaged-repair-refused "exit $rc: $(cat "$ERR")"
poke 16 01	# the bit back: copy 0 valid, copy 1 still blank
ok sb-blank-repair check --repair --image "$IMG"
grep -q "superblock copy 1 restored from copy 0" "$OUT" && sb_twins &&
	pass sb-blank-repaired || fail sb-blank-repaired "$(cat "$OUT" "$ERR")"
poke 16 00	# the same flip now leaves copy 1
ok sb-after-repair-list list --image "$IMG"
jqt sb-after-repair-list-json '.[0].state == "ready" and .[0].namespaces[0].name == "keep"'
ok sb-after-repair-repair check --repair --image "$IMG"
ok sb-after-repair-check check --image "$IMG"

truncate -s 100 "$TMP/tiny"
IMG_SAVE=$IMG
IMG=$TMP/tiny
refuse list-tiny 1 "too small for a pkern region" list --image "$IMG"
full refuse check-tiny 2 "too small for a pkern region" check --image "$IMG"
IMG=$IMG_SAVE
full refuse check-missing 2 "does not exist" check --image "$TMP/none"
fi

# ---- a full filesystem: zeroing needs no space, a failed store is an error ---
# A 1 MiB tmpfs holds the label pages of a 64 MiB sparse image and nothing
# more.  Mounting it needs root; without root these cases are skipped.
if [ "$QUICK" != 1 ]; then
	mkdir -p "$FULL"
	if mount -t tmpfs -o size=1m pkdaxctl-test "$FULL" 2>"$TMP/mount.err"; then
		IMG_SAVE=$IMG
		IMG=$FULL/img
		ok full-init init-labels --image "$IMG" --size 64M
		ok full-first create-namespace --image "$IMG" -n a -s 2M
		truncate -s 64M "$FULL/blank"
		dd if=/dev/zero of="$FULL/filler" bs=4k status=none 2>/dev/null
		[ "$(stat -f -c %a "$FULL")" -eq 0 ] && pass full-is-full ||
			fail full-is-full "$(df "$FULL")"
		# reading needs no space: on tmpfs a hole read through a
		# mapping would allocate a page
		ok full-inspect inspect --image "$IMG"
		jqt full-inspect-json '[.[0].slots[] | select(.used)] | length == 1'
		IMG=$FULL/blank
		ok full-list-blank list --image "$IMG"
		jqt full-list-blank-json '.[0].state == "unformatted"'
		refuse full-init-blank 1 "cannot format .*/blank: No space left on device; its labels are as before$" \
			init-labels --image "$IMG"
		IMG=$FULL/img
		ok full-create create-namespace --image "$IMG" -n vm1 -s 16M
		OFF=$(jq .offset "$OUT")
		is_zero "$OFF" $((16 * M)) && pass full-create-zero ||
			fail full-create-zero "new namespace not zeroed"
		ok full-destroy destroy-namespace --image "$IMG" vm1
		pk list --image "$IMG" -N
		jqt full-destroy-gone '[.[].name] == ["a"]'
		# slots 1-15 share the label page of slot 0; slot 16 needs a new page
		for i in $(seq 1 15); do
			pk create-namespace --image "$IMG" -n "s$i" -s 2M
			[ $rc -eq 0 ] || break
		done
		[ $rc -eq 0 ] && pass full-same-page || fail full-same-page "exit $rc: $(cat "$ERR")"
		refuse full-new-page 1 "cannot create 's16' in .*: No space left on device; nothing was created, the labels are as before" \
			create-namespace --image "$IMG" -n s16 -s 2M
		ok full-check check --image "$IMG"
		grep -q "clean: 16 namespaces" "$OUT" && pass full-check-text ||
			fail full-check-text "$(cat "$OUT")"
		# a new image that cannot be formatted is removed, and said so
		refuse full-init-new 1 "cannot format new image .*/new: No space left on device; the file was removed, nothing was created$" \
			init-labels --image "$FULL/new" --size 64M
		[ -e "$FULL/new" ] && fail full-init-new-removed "half-made image left" ||
			pass full-init-new-removed
		umount "$FULL"
		IMG=$IMG_SAVE
	else
		echo "SKIP full-filesystem cases: cannot mount a tmpfs: $(head -n 1 "$TMP/mount.err")"
	fi
fi

# ---- bash completion: commands, values, names from list --image ------------
if [ "$QUICK" != 1 ] && [ -n "${BASH_VERSION:-}" ]; then
	mkdir -p "$TMP/bin"
	ln -sf "$(readlink -f "$PK")" "$TMP/bin/pkdaxctl"
	IMG=$TMP/comp.img
	ok comp-init init-labels --image "$IMG" --size 8M
	ok comp-ns create-namespace --image "$IMG" -n comp-ns -s 2M
	comp() {	# comp WORDS...: completions for the last word
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMPREPLY=()
		PATH=$TMP/bin:$PATH _pkdaxctl
		echo "${COMPREPLY[*]}"
	}
	# shellcheck disable=SC1091	# bash completion, not a test script
	. "$(dirname "$0")/../../tools/pkdaxctl/pkdaxctl-completion.bash"
	[ "$(comp pkdaxctl destroy-n)" = destroy-namespace ] &&
		pass comp-command || fail comp-command "$(comp pkdaxctl destroy-n)"
	[ "$(comp pkdaxctl create-namespace -t '')" = "guest iommu" ] &&
		pass comp-type || fail comp-type "$(comp pkdaxctl create-namespace -t '')"
	[ "$(comp pkdaxctl destroy-namespace --image "$IMG" comp)" = comp-ns ] &&
		pass comp-names || fail comp-names "$(comp pkdaxctl destroy-namespace --image "$IMG" comp)"
	[ "$(comp pkdaxctl check --j)" = --json ] &&
		pass comp-option || fail comp-option "$(comp pkdaxctl check --j)"
	[ "$(comp pkdaxctl create-namespace --off)" = --offset ] &&
		pass comp-long-only || fail comp-long-only "$(comp pkdaxctl create-namespace --off)"
	[ "$(comp pkdaxctl create-namespace -a '')" = "4K 2M 1G" ] &&
		pass comp-values || fail comp-values "$(comp pkdaxctl create-namespace -a '')"
	[ -z "$(comp pkdaxctl create-namespace -u '')" ] &&
		pass comp-value-free || fail comp-value-free "$(comp pkdaxctl create-namespace -u '')"
	[[ " $(comp pkdaxctl list -u '') " == *" --regions "* ]] &&
		pass comp-after-flag || fail comp-after-flag "$(comp pkdaxctl list -u '')"
	[ "$(comp pkdaxctl list --image "$IMG" -n '')" = comp-ns ] &&
		pass comp-ns-filter || fail comp-ns-filter "$(comp pkdaxctl list --image "$IMG" -n '')"
	# --image=FILE: bash splits the word at '=' (COMP_WORDBREAKS) ...
	[ "$(comp pkdaxctl list --image = "${IMG%.img}")" = "$IMG" ] &&
		pass comp-image-eq || fail comp-image-eq "$(comp pkdaxctl list --image = "${IMG%.img}")"
	[ "$(comp pkdaxctl destroy-namespace --image = "$IMG" comp)" = comp-ns ] &&
		pass comp-image-eq-names || fail comp-image-eq-names "$(comp pkdaxctl destroy-namespace --image = "$IMG" comp)"
	# ... or, without '=' in COMP_WORDBREAKS, leaves it whole
	[ "$(comp pkdaxctl list "--image=${IMG%.img}")" = "--image=$IMG" ] &&
		pass comp-image-eq-whole || fail comp-image-eq-whole "$(comp pkdaxctl list "--image=${IMG%.img}")"
	[ "$(comp pkdaxctl list "--image=$IMG" -n c)" = comp-ns ] &&
		pass comp-image-eq-whole-names || fail comp-image-eq-whole-names "$(comp pkdaxctl list "--image=$IMG" -n c)"
	# names come from pkdaxctl itself: no jq on the PATH
	command -v jq >"$TMP/jq-path"
	comp_nojq() { PATH=$TMP/bin comp "$@"; }
	[ "$(comp_nojq pkdaxctl destroy-namespace --image "$IMG" comp)" = comp-ns ] &&
		[ "$(comp_nojq pkdaxctl list --image "$IMG" -r '')" = "$IMG" ] &&
		pass comp-names-no-jq || fail comp-names-no-jq "$(comp_nojq pkdaxctl destroy-namespace --image "$IMG" comp)"
	[ "$(command -v jq)" = "$(cat "$TMP/jq-path")" ] && pass comp-path-restored ||
		fail comp-path-restored "PATH is $PATH"
fi

# ---- -v/--verbose ---------------------------------------------------------
IMG=$TMP/verbose
ok verbose-init init-labels --image "$IMG" --size 64M
ok verbose-create create-namespace --image "$IMG" -n vm1 -s 2M
# quiet without -v: nothing on stderr
ok verbose-quiet list --image "$IMG"
[ ! -s "$ERR" ] && pass verbose-quiet-stderr || fail verbose-quiet-stderr "$(cat "$ERR")"
# -v says what was opened, and how
ok verbose-list list -v --image "$IMG"
grep -q "^pkdaxctl list: region image $IMG, opened read-only$" "$ERR" &&
	pass verbose-list-info || fail verbose-list-info "$(cat "$ERR")"
# as ndctl list: -v lists regions with their namespaces even with -N alone
ok verbose-list-n list -N -v --image "$IMG"
jqt verbose-list-n-json '.[0].namespaces[0].name == "vm1"'
# -vv adds the media errors
ok verbose-list-vv list -vv --image "$IMG"
jqt verbose-list-vv-json '.[0] | has("badblocks")'
# global --verbose before the command is the same as -v after it
ok verbose-global --verbose check --image "$IMG"
grep -q "opened read-only" "$ERR" && pass verbose-global-info ||
	fail verbose-global-info "$(cat "$ERR")"
# -u humanises the same keys in every object; align is a number in all
ok human-list list -u --image "$IMG"
jqt human-list-align '[.[0].align, .[0].namespaces[0].align] | all(type == "number")'
jqt human-list-sizes '[.[0].size, .[0].available_size, .[0].namespaces[0].size] | all(type == "string" and test("MiB"))'
jqt human-list-hex '.[0].namespaces[0].offset | test("^0x")'
ok human-inspect inspect -u --image "$IMG"
jqt human-inspect-align '[.. | objects | (.align?, .granule?) | select(. != null)] | length > 0 and all(type == "number")'
ok verbose-write destroy-namespace vm1 --image "$IMG" -v
grep -q "opened read-write" "$ERR" && pass verbose-write-info ||
	fail verbose-write-info "$(cat "$ERR")"

# ---- list filters --------------------------------------------------------
IMG=$TMP/filters
ok filter-init init-labels --image "$IMG" --size 64M
ok filter-g1 create-namespace --image "$IMG" -n g1 -s 2M
ok filter-p1 create-namespace --image "$IMG" -n p1 -s 2M -t iommu
ok filter-g2 create-namespace --image "$IMG" -n g2 -s 2M
ok filter-type list -N --image "$IMG" -t iommu
jqt filter-type-json '[.[].name] == ["p1"]'
ok filter-type-guest list --image "$IMG" -t guest
jqt filter-type-guest-json '[.[0].namespaces[].name] == ["g1", "g2"]'
# on an image (no region number) the device's slot selects
ok filter-dev-dax list -N --image "$IMG" -d dax0.2
jqt filter-dev-dax-json '[.[].name] == ["g2"]'
ok filter-dev-pkern list -N --image "$IMG" -d pkern0.1
jqt filter-dev-pkern-json '[.[].name] == ["p1"]'
# filters combine: slot 0 is a guest, so -t iommu leaves nothing
ok filter-combine list -N --image "$IMG" -d dax0.0 -t iommu
jqt filter-combine-json 'length == 0'
ok filter-combine-name list -N --image "$IMG" -t guest -n g2
jqt filter-combine-name-json '[.[].name] == ["g2"]'
ok filter-region-all list -N --image "$IMG" -r all
jqt filter-region-all-json 'length == 3'
refuse filter-bad-type 2 "invalid --type 'pool': use guest or iommu" list --image "$IMG" -t pool
refuse filter-bad-dev 2 "invalid --device 'sda1': use daxR.S or pkernR.S" list --image "$IMG" -d sda1
full refuse filter-bad-dev-slot 2 "invalid --device 'dax0.x'" list --image "$IMG" -d dax0.x

# ---- read-labels / write-labels: backup and restore of the label area ------
IMG=$TMP/labels
BAK=$TMP/labels.bak
ok labels-init init-labels --image "$IMG" --size 64M
ok labels-vm1 create-namespace --image "$IMG" -n vm1 -s 2M
ok labels-read read-labels --image "$IMG" -o "$BAK"
[ "$(stat -c %s "$BAK")" -eq "$(jq '.[0].label_size' <("$PK" list -R --image "$IMG"))" ] &&
	cmp -s -n "$(stat -c %s "$BAK")" "$BAK" "$IMG" && pass labels-read-bytes ||
	fail labels-read-bytes "backup is not the image's label area"
# round trip: a namespace created after the backup is gone after the restore
ok labels-vm2 create-namespace --image "$IMG" -n vm2 -s 2M
ok labels-write write-labels --image "$IMG" -i "$BAK"
ok labels-write-list list -N --image "$IMG"
jqt labels-write-json '[.[].name] == ["vm1"]'
ok labels-write-check check --image "$IMG"
# refusals: one line, the image byte-identical
cp "$BAK" "$TMP/bad.bak"
printf 'XXXX' | dd of="$TMP/bad.bak" bs=1 seek=16400 conv=notrunc status=none
refuse labels-bad-slot 1 "bad.bak: label slot 0: label checksum mismatch; nothing was changed" \
	write-labels --image "$IMG" -i "$TMP/bad.bak"
cp "$BAK" "$TMP/bad.bak"
printf 'XXXX' | dd of="$TMP/bad.bak" bs=1 seek=100 conv=notrunc status=none
refuse labels-bad-sb 1 "superblock copy 0: superblock checksum mismatch; nothing was changed" \
	write-labels --image "$IMG" -i "$TMP/bad.bak"
cp "$BAK" "$TMP/bad.bak"
printf 'XXXX' | dd of="$TMP/bad.bak" bs=1 seek=12300 conv=notrunc status=none
refuse labels-bad-index 1 "index block 1: index block checksum mismatch; nothing was changed" \
	write-labels --image "$IMG" -i "$TMP/bad.bak"
head -c 100000 "$BAK" >"$TMP/short.bak"
refuse labels-short 1 "holds 100000 bytes but its superblock records a label area of [0-9]+ bytes; nothing was changed" \
	write-labels --image "$IMG" -i "$TMP/short.bak"
head -c 64M /dev/urandom >"$TMP/random.bak"
refuse labels-random 1 "is more than the whole of|not a label area pkern can use" \
	write-labels --image "$IMG" -i "$TMP/random.bak"
head -c 1M /dev/urandom >"$TMP/random.bak"
refuse labels-random-small 1 "random.bak is not a label area pkern can use: .*; nothing was changed" \
	write-labels --image "$IMG" -i "$TMP/random.bak"
refuse labels-missing 1 "cannot read .*/nope.bak: No such file or directory; nothing was changed" \
	write-labels --image "$IMG" -i "$TMP/nope.bak"
# a backup of another region: refused unless --force
IMG=$TMP/labels-other
ok labels-other-init init-labels --image "$IMG" --size 64M
refuse labels-other-uuid 1 "labels.bak is a backup of region .*, but .* is region .*; nothing was changed \(--force" \
	write-labels --image "$IMG" -i "$BAK"
ok labels-other-force write-labels --image "$IMG" -i "$BAK" --force
ok labels-other-list list -N --image "$IMG"
jqt labels-other-json '[.[].name] == ["vm1"]'
IMG=$TMP/labels-big
ok labels-big-init init-labels --image "$IMG" --size 128M
refuse labels-big-size 1 "was saved from a region of 67108864 bytes, not 134217728; nothing was changed" \
	write-labels --image "$IMG" -i "$BAK"
full refuse labels-need-input 2 "name the backup to restore with -i FILE" write-labels --image "$IMG"
full refuse labels-need-output 2 "name the backup file with -o FILE" read-labels --image "$IMG"
full refuse labels-live 2 "write-labels restores onto an image only" write-labels -i "$BAK"
# read-labels reads a read-only image as an unprivileged user
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	mkdir -p "$TMP/rol"
	chmod 0755 "$TMP"
	chmod 0777 "$TMP/rol"
	cp "$TMP/labels" "$TMP/rol/img"
	chmod 0444 "$TMP/rol/img"
	if setpriv --reuid=65534 --regid=65534 --clear-groups "${WRAP[@]}" "$PK" \
		read-labels --image "$TMP/rol/img" -o "$TMP/rol/bak" >"$OUT" 2>"$ERR" &&
		cmp -s "$TMP/rol/bak" "$BAK"; then
		pass labels-read-ro
	else
		fail labels-read-ro "$(cat "$ERR")"
	fi
fi

# ---- progress of long zeroing: a line on a terminal, nothing otherwise ------
# ramfs cannot punch holes, so zeroing writes zeros there (as on a
# filesystem without FALLOC_FL_PUNCH_HOLE); script(1) gives a terminal.
# Needs root (mount); skipped otherwise and in the valgrind pass.
ZR=$TMP/ramfs
if [ "$QUICK" != 1 ] && [ "$(id -u)" -eq 0 ] && command -v script >/dev/null &&
	mkdir -p "$ZR" && mount -t ramfs pkdaxctl-test "$ZR" 2>/dev/null; then
	IMG=$ZR/img
	ok progress-init init-labels --image "$IMG" --size 64M
	# not a terminal: stderr stays empty
	ok progress-quiet create-namespace --image "$IMG" -n quiet -s 40M
	[ ! -s "$ERR" ] && pass progress-quiet-stderr || fail progress-quiet-stderr "$(cat "$ERR")"
	ok progress-quiet-destroy destroy-namespace --image "$IMG" quiet
	# its one line, the result, and no progress
	[ "$(wc -l <"$ERR")" -eq 1 ] && ! grep -q zeroing "$ERR" &&
		pass progress-quiet-destroy-stderr ||
		fail progress-quiet-destroy-stderr "$(cat "$ERR")"
	# a terminal: the line counts up to the size, then is cleared
	script -qec "$(printf '%q ' "${WRAP[@]}" "$PK") create-namespace --image $IMG -n tty -s 40M >/dev/null" /dev/null >"$OUT" 2>&1
	grep -q "pkdaxctl create-namespace: zeroing 40 of 40 MiB" "$OUT" &&
		grep -q $'\e\[K' "$OUT" && pass progress-tty ||
		fail progress-tty "$(od -c "$OUT" | head -5)"
	pk list -N --image "$IMG"
	jqt progress-tty-created '[.[].name] == ["tty"]'
	umount "$ZR"
fi

# ---- the manual pages' examples run as written ----------------------------
# "$ pkdaxctl ..." lines (an unprivileged user on an image) run in a fresh
# directory, in order, on the page's own region.img or, when the page does
# not make one, on a 1 GiB one with vm1; "# ..." lines need live regions.
if [ "$QUICK" != 1 ]; then
	PKABS=$(realpath "$PK")
	for page in "$DOC"/pkdaxctl*.txt; do
		base=$(basename "$page" .txt)
		grep -q '^\$ pkdaxctl ' "$page" || continue
		ex=$TMP/ex-$base
		mkdir -p "$ex"
		if ! grep -m1 '^\$ pkdaxctl ' "$page" | grep -q init-labels; then
			(cd "$ex" && "$PKABS" init-labels --image region.img --size 1G &&
				"$PKABS" create-namespace --image region.img -n vm1 -s 256M) >/dev/null 2>&1
		fi
		n=0
		while read -r line; do
			n=$((n + 1))
			read -r -a argv <<<"${line#\$ pkdaxctl }"
			(cd "$ex" && "${WRAP[@]}" "$PKABS" "${argv[@]}") >"$OUT" 2>"$ERR"
			rc=$?
			[ $rc -eq 0 ] && pass "man-example-$base-$n" ||
				fail "man-example-$base-$n" "'$line' exit $rc: $(head -c 300 "$ERR")"
		done < <(grep '^\$ pkdaxctl ' "$page")
	done
fi

# ---- live mode without a module: clear refusals -------------------------------
if [ ! -d /sys/class/pkern ]; then
	IMG=$TMP/none
	refuse live-unknown-region 1 "unknown region 'pkern7': no pkern regions" list -r pkern7
	refuse live-init-needs-region 2 "which region\\? name it with -r" init-labels
	ok live-list-empty list
	jqt live-list-empty-json 'length == 0'
	refuse live-create-none 1 "no pkern regions" create-namespace -n x -s 2M
	refuse live-check-none 2 "no pkern regions to check" check
fi

echo "pkdaxctl tests: $npass passed, $nfail failed"
[ $nfail -eq 0 ] || { echo "failed: ${failed[*]}"; exit 1; }
