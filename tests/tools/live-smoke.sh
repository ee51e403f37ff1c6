#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# Smoke test of pkdaxctl's live mode on a loaded dax_pkern (run inside the
# test VM, as root).  Exercises every command against /dev/pkernN and
# checks the device-dax view against stock daxctl.  Prints one PASS/FAIL
# line per case and a summary; exits non-zero on any failure.
#
#   live-smoke.sh [-r REGION] [PKDAXCTL]
#
# Formats REGION only if it is unformatted; existing namespaces are left
# alone (the test uses its own names and removes them again).
# shellcheck disable=SC2015	# "COND && pass X || fail X": pass and fail return 0
set -u

REGION=pkern0
if [ "${1:-}" = -r ]; then
	REGION=$2
	shift 2
fi
TOP=$(cd "$(dirname "$0")/../.." && pwd)
PK=${1:-$TOP/build/pkdaxctl}
TMP=$(mktemp -d /tmp/pkdaxctl-live.XXXXXX)
trap 'exec 3>&- 2>/dev/null; rm -rf "$TMP"' EXIT
OUT=$TMP/out
ERR=$TMP/err
npass=0
nfail=0
G=smoke-guest-$$
P=smoke-pool-$$

pass() { echo "PASS live-$1"; npass=$((npass + 1)); }
fail() { echo "FAIL live-$1: $2"; nfail=$((nfail + 1)); }
pk() { "$PK" "$@" >"$OUT" 2>"$ERR"; rc=$?; }
ok() {
	local name=$1
	shift
	pk "$@"
	[ $rc -eq 0 ] && { pass "$name"; return 0; }
	fail "$name" "exit $rc: $(head -c 300 "$ERR")"
	return 1
}
jqt() {
	jq -e "$2" "$OUT" >/dev/null 2>&1 && { pass "$1"; return 0; }
	fail "$1" "jq -e '$2' false on: $(head -c 400 "$OUT")"
	return 1
}
# label state that must not move when a command is refused
labels() { "$PK" inspect -r "$REGION" 2>/dev/null | jq -S 'del(.[].slots[].label.chardev)'; }
refuse() {
	local name=$1 want=$2 pat=$3
	shift 3
	labels >"$TMP/before"
	pk "$@"
	labels >"$TMP/after"
	if [ $rc -ne "$want" ]; then
		fail "$name" "exit $rc, want $want: $(head -c 300 "$ERR")"
	elif [ "$(wc -l <"$ERR")" -ne 1 ] || ! grep -qE -- "$pat" "$ERR"; then
		fail "$name" "want one line matching /$pat/: $(cat "$ERR")"
	elif ! cmp -s "$TMP/before" "$TMP/after"; then
		fail "$name" "labels changed by a refused command"
	else
		pass "$name"
	fi
}

[ -c "/dev/$REGION" ] || { echo "FAIL live-setup: /dev/$REGION missing (dax_pkern loaded?)"; exit 1; }

ok list-regions list -R
jqt region-listed "any(.[]; .dev == \"$REGION\")" || exit 1
if [ "$(jq -r ".[] | select(.dev == \"$REGION\") | .state" "$OUT")" = unformatted ]; then
	ok init init-labels -r "$REGION"
	jqt init-json '.state == "ready" and .nslots == 512'
fi
ok list-region list -R -r "$REGION"
jqt region-json ".[0].state == \"ready\" and .[0].size == $(cat /sys/class/pkern/"$REGION"/size) and .[0].available_size == $(cat /sys/class/pkern/"$REGION"/available_size)"

ok create-guest create-namespace -r "$REGION" -n "$G" -s 64M -t guest -a 2M
jqt create-guest-json '.kind == "guest" and .size == 67108864 and .align == 2097152 and .mode == "devdax" and (.chardev | test("^dax[0-9]+\\.[0-9]+$"))'
DEV=$(jq -r .chardev "$OUT")
SLOT=$(jq -r .slot "$OUT")
[ "$DEV" = "dax${REGION#pkern}.$SLOT" ] && pass naming-contract ||
	fail naming-contract "$DEV for slot $SLOT of $REGION"
[ -c "/dev/$DEV" ] && pass chardev-exists || fail chardev-exists "/dev/$DEV"
daxctl list -d "$DEV" >"$TMP/dax" 2>/dev/null
jq -e '(if type == "array" then .[0] else . end) | .size == 67108864 and .align == 2097152 and .mode == "devdax"' \
	"$TMP/dax" >/dev/null && pass stock-daxctl-agrees ||
	fail stock-daxctl-agrees "$(cat "$TMP/dax")"

ok create-pool create-namespace -r "$REGION" -n "$P" -s 4M -t iommu -a 4K
jqt create-pool-json '.kind == "iommu" and (has("chardev") | not)'

ok list-ns list -N -D -r "$REGION"
jqt list-ns-json "[.[] | select(.name == \"$G\" or .name == \"$P\")] | length == 2"
jqt list-ns-dax "any(.[]; .name == \"$G\" and .chardev == \"$DEV\" and .state == \"enabled\" and (.target_node | type == \"number\"))"
ok list-human list -u -r "$REGION"
jqt list-human-json '.[0].size | test("iB")'
ok check check -r "$REGION"
grep -q "^$REGION: clean" "$OUT" && pass check-clean || fail check-clean "$(cat "$OUT")"
ok inspect inspect -r "$REGION"
jqt inspect-json "([.[0].superblocks[] | select(.live)] | length == 1) and ([.[0].index_blocks[] | select(.live)] | length == 1) and ([.[0].slots[] | select(.used and .label.name == \"$G\")] | length == 1)"

refuse dup-name 1 "name '$G' is already used" \
	create-namespace -r "$REGION" -n "$G" -s 2M
refuse no-space 1 "largest free extent is" \
	create-namespace -r "$REGION" -n smoke-big -s 16T
refuse init-has-labels 1 "holds [0-9]+ namespaces? .*add --force" \
	init-labels -r "$REGION"
refuse unknown-region 1 "unknown region 'pkern99'; regions: " list -r pkern99

# busy: an open device cannot be destroyed, and nothing changes
exec 3<"/dev/$DEV"
refuse destroy-busy 1 "/dev/$DEV \\(namespace '$G'\\) is busy" \
	destroy-namespace -r "$REGION" "$G"
exec 3<&-
[ -c "/dev/$DEV" ] && pass busy-device-kept || fail busy-device-kept "/dev/$DEV vanished"

ok destroy-guest destroy-namespace -r "$REGION" "$G"
[ -e "/dev/$DEV" ] && fail device-removed "/dev/$DEV still there" || pass device-removed
ok destroy-pool destroy-namespace "$P"
refuse destroy-gone 1 "no namespace named '$G'" destroy-namespace "$G"
ok check-after check -r "$REGION"
# an empty formatted region is not formatted again (new UUID) unforced
pk list -R -r "$REGION"
if [ "$(jq '.[0].nr_namespaces' "$OUT")" = 0 ]; then
	refuse init-empty 1 "$REGION is already formatted \(pkern labels, no namespaces, generation [0-9]+\); nothing was changed" \
		init-labels -r "$REGION"
fi

echo "pkdaxctl live smoke: $npass passed, $nfail failed"
[ $nfail -eq 0 ]
