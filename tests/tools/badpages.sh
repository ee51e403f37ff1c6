#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Recorded bad pages offline: list shows badblock_count and, with
# --media-errors, the ranges; create goes around them, refuses an exact
# offset over one unless --allow-bad-pages; clear-errors needs a range
# and forgets it; check reports them.  Pages are recorded the way the
# driver does (a new index block, generation + 1), written here by an
# independent encoder.
#
#   badpages.sh PKDAXCTL
# shellcheck disable=SC2015	# "COND && pass X || fail X": pass and fail return 0
set -u

PK=$1
TMP=$(mktemp -d /tmp/pkdaxctl-bad.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
IMG=$TMP/img
nfail=0
npass=0

pass() { echo "PASS $1"; npass=$((npass + 1)); }
fail() { echo "FAIL $1: $2"; nfail=$((nfail + 1)); }

# record PAGE...: commit an index block listing these region pages
record() {
	python3 - "$IMG" "$@" <<'PY'
import struct, sys, zlib
path, pages = sys.argv[1], sorted(int(p, 0) // 4096 for p in sys.argv[2:])
f = open(path, 'r+b')
blocks = []
for i in (0, 1):
    f.seek(0x2000 + i * 0x1000)
    b = bytearray(f.read(4096))
    ok = b[:8] == b'PKERNIX\0' and zlib.crc32(b[:4092]) == struct.unpack_from('<I', b, 4092)[0]
    blocks.append((struct.unpack_from('<Q', b, 8)[0] if ok else -1, i, b))
gen, live, b = max(blocks)
struct.pack_into('<Q', b, 8, gen + 1)
struct.pack_into('<I', b, 48, len(pages))
b[192:192 + 487 * 8] = bytes(487 * 8)
for n, p in enumerate(pages):
    struct.pack_into('<Q', b, 192 + 8 * n, p)
struct.pack_into('<I', b, 4092, zlib.crc32(b[:4092]))
f.seek(0x2000 + (1 - live) * 0x1000)
f.write(b)
PY
}

"$PK" init-labels --image "$IMG" --size 64M >/dev/null 2>&1 || { echo "FAIL init"; exit 1; }
record 0x400000 0x401000 0x405000

"$PK" list --image "$IMG" >"$TMP/out" 2>"$TMP/err" &&
	[ "$(jq ".[0].badblock_count" "$TMP/out")" = 3 ] &&
	[ "$(jq ".[0] | has(\"badblocks\")" "$TMP/out")" = false ] &&
	pass "list: badblock_count, no ranges without -M" ||
	fail "list: badblock_count" "$(cat "$TMP/out" "$TMP/err")"

"$PK" list --image "$IMG" --media-errors >"$TMP/out" 2>&1 &&
	[ "$(jq -c '.[0].badblocks' "$TMP/out")" = '[{"offset":4194304,"length":8192},{"offset":4214784,"length":4096}]' ] &&
	pass "list --media-errors: runs merged" ||
	fail "list --media-errors" "$(cat "$TMP/out")"

"$PK" create-namespace --image "$IMG" -n over -s 2M --offset 4M >"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc = 1 ] && grep -q 'holds 3 recorded bad pages.*--allow-bad-pages' "$TMP/err" && [ ! -s "$TMP/out" ] &&
	pass "create over bad pages refused" ||
	fail "create over bad pages refused" "rc $rc: $(cat "$TMP/err")"

"$PK" create-namespace --image "$IMG" -n a -s 2M >/dev/null 2>&1 &&
	"$PK" create-namespace --image "$IMG" -n b -s 2M >"$TMP/out" 2>&1 &&
	[ "$(jq -r .offset "$TMP/out")" = 6291456 ] &&
	[ "$(jq .badblock_count "$TMP/out")" = 0 ] &&
	pass "first fit skips the bad 2 MiB block" ||
	fail "first fit" "$(cat "$TMP/out")"

"$PK" create-namespace --image "$IMG" -n over -s 2M --offset 4M --allow-bad-pages >"$TMP/out" 2>"$TMP/err" &&
	grep -q "covers 3 recorded bad pages, as asked" "$TMP/err" &&
	[ "$(jq .badblock_count "$TMP/out")" = 3 ] &&
	pass "--allow-bad-pages creates and says so" ||
	fail "--allow-bad-pages" "$(cat "$TMP/err" "$TMP/out")"

cp "$IMG" "$TMP/before"
"$PK" create-namespace --image "$IMG" -n pool -s 2M -t iommu --allow-bad-pages >"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc = 2 ] && grep -q 'guest memory only' "$TMP/err" && cmp -s "$IMG" "$TMP/before" &&
	pass "no --allow-bad-pages for iommu pools" ||
	fail "no --allow-bad-pages for iommu pools" "rc $rc: $(cat "$TMP/err")"

"$PK" list --image "$IMG" -N -M >"$TMP/out" 2>&1 &&
	[ "$(jq -c '.[] | select(.name == "over") | .badblocks' "$TMP/out")" = '[{"offset":0,"length":8192},{"offset":20480,"length":4096}]' ] &&
	pass "namespace badblocks are namespace-relative" ||
	fail "namespace badblocks" "$(cat "$TMP/out")"

"$PK" destroy-namespace --image "$IMG" over >/dev/null 2>&1 &&
	[ "$("$PK" list --image "$IMG" -R | jq ".[0].badblock_count")" = 3 ] &&
	pass "destroy keeps the record" || fail "destroy keeps the record" ""

"$PK" check --image "$IMG" >"$TMP/out" 2>&1
grep -q '3 recorded bad pages' "$TMP/out" && pass "check reports the pages" ||
	fail "check reports the pages" "$(cat "$TMP/out")"

cp "$IMG" "$TMP/before"
"$PK" clear-errors --image "$IMG" >"$TMP/out" 2>"$TMP/err"
rc=$?
[ $rc = 2 ] && grep -q 'give the range to forget' "$TMP/err" && cmp -s "$IMG" "$TMP/before" &&
	pass "clear-errors needs a range" || fail "clear-errors needs a range" "rc $rc: $(cat "$TMP/err")"
"$PK" clear-errors --image "$IMG" --offset 0x401000 --length 0x1000 >"$TMP/out" 2>"$TMP/err" &&
	grep -q 'forgot 1 recorded bad pages' "$TMP/err" &&
	pass "clear-errors of one page" || fail "clear-errors of one page" "$(cat "$TMP/err")"
"$PK" clear-errors --image "$IMG" --offset 0x401001 --length 4K >/dev/null 2>"$TMP/err"
rc=$?
[ $rc = 2 ] && pass "clear-errors refuses an unaligned offset" ||
	fail "unaligned offset" "$(cat "$TMP/err")"
[ "$("$PK" list --image "$IMG" -R | jq ".[0].badblock_count")" = 2 ] &&
	pass "clear-errors forgets one page" || fail "clear-errors forgets one page" ""
"$PK" clear-errors --image "$IMG" --offset 0 --length 64M >/dev/null 2>"$TMP/err"
rc=$?
[ $rc = 1 ] && grep -q 'invalid argument' "$TMP/err" &&
	pass "clear-errors outside the data area refused" ||
	fail "clear-errors outside the data area" "$(cat "$TMP/err")"
"$PK" clear-errors --image "$IMG" --offset 4M --length 60M >/dev/null 2>"$TMP/err" &&
	[ "$("$PK" list --image "$IMG" -R | jq ".[0].badblock_count")" = 0 ] &&
	grep -q 'forgot 2 recorded bad pages' "$TMP/err" &&
	pass "clear-errors forgets a range" || fail "clear-errors forgets a range" "$(cat "$TMP/err")"

echo "badpages: $npass passed, $nfail failed"
[ $nfail = 0 ]
