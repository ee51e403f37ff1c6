#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Turn the bench's raw samples into one markdown table.

    table.py RAW.txt [--wall SECONDS] [--min-rows N]

RAW.txt holds one "KEY VALUE" line per sample, written by
tests/bench/guest-lib.sh.  Each cell is the median of its samples with
[min-max] and the sample count.  Exits 1 with one line on stderr when
the file is missing, a line does not parse, or fewer than N rows have
data: those are bench machinery failures.  Numbers are never judged.
"""
import argparse
import statistics
import sys

SIZES = ["1G", "4G", "16G"]
COUNTS = [1, 16, 128]


def rows():
    """(figure, case, pkern key, reference key, reference name, unit, goal)"""
    for s in SIZES:
        for k in COUNTS:
            goal = "128 ns <= stock 1 ns" if k == 128 else ""
            yield ("restore after kexec", f"{s} region, {k} ns",
                   f"restore.pkern.{s}.{k}", f"restore.stock-dev.{s}",
                   "stock map=dev, 1 ns", "us", goal)
        for k in COUNTS:
            yield ("restore after kexec", f"{s} region, {k} ns",
                   f"restore.pkern.{s}.{k}", f"restore.stock-mem.{s}",
                   "stock map=mem, 1 ns", "us",
                   "128 ns <= stock 1 ns" if k == 128 else "")
    for k in COUNTS:
        yield ("restore after kexec", f"16G vs 1G region, {k} ns",
               f"restore.pkern.16G.{k}", f"restore.pkern.1G.{k}",
               "pkern 1G region", "us", "ratio <= 1.5")
    for s in SIZES:
        for m in ("dev", "mem"):
            yield ("reserved bytes", f"{s} region, per GiB",
                   f"overhead.pkern.{s}", f"overhead.stock-{m}.{s}",
                   f"stock map={m} info block", "B/GiB",
                   "pkern < 1073742 (0.1%)")
    for a in ("4K", "2M", "1G"):
        for m in ("mem", "dev"):
            yield ("struct-page RAM", f"{a} align, per GiB of namespace",
                   f"vmemmap.pkern.{a}", f"vmemmap.stock-{m}.2M",
                   f"stock map={m}, 2M align" +
                   (" (struct pages in the pmem)" if m == "dev" else ""), "B/GiB",
                   {"2M": "<= stock", "1G": "< 10737 (0.001%)"}.get(a, "")
                   if m == "mem" else "")
    for a in ("4K", "2M", "1G"):
        for ref in ("anon-4K", "anon", "hugetlb-2M", "hugetlb-1G"):
            yield ("faults to populate", f"{a} align, per GiB",
                   f"faults.pkern.{a}", f"faults.{ref}",
                   {"anon": "anon (THP allowed)", "anon-4K": "anon, no THP"}.get(ref, ref),
                   "faults", "")
    yield ("scrub bandwidth", "new namespace zeroing", "scrub.pkern",
           "scrub.memset", "userspace memset, same memory", "MiB/s",
           ">= 0.8x memset")
    share = "pkern's share of the blackout"
    stock = "stock map=dev: load + ready, fixed name"
    yield (share, "load + ready + pkdaxctl lookup", "share.pkern-lookup",
           "share.stock-dev", stock, "us", "")
    yield (share, "load + ready + stable name", "share.pkern-link",
           "share.stock-dev", stock, "us", "")
    yield (share, "stable name vs pkdaxctl lookup", "share.pkern-link",
           "share.pkern-lookup", "pkern, pkdaxctl lookup", "us", "")
    for n in (1, 64, 256):
        for op in ("create", "destroy"):
            yield ("control path (ioctl)", f"{op} 2M ns, {n} present",
                   f"ctl.{op}.{n}", None, "", "us", "")
    ref = "same guest, RAM migrated in full"
    for m in (64, 512):
        for fig, what, unit in (("blackout", "blackout", "ms"),
                                ("save + restore", "saverestore", "ms"),
                                ("save", "save", "ms"),
                                ("restore", "restore", "ms"),
                                ("saved state", "state", "bytes")):
            yield (f"live update: {fig}", f"{m} MiB nested QEMU guest",
                   f"lu.shared.{m}.{what}", f"lu.baseline.{m}.{what}",
                   ref, unit, "")
    yield ("live update: kexec", "shutdown + kexec -e -> namespaces ready",
           "lu.kexec", None, "", "ms", "")
    yield ("live update: kexec", "of which pkern's restore (driver probe)",
           "lu.pkern", None, "", "us", "")


# goal text -> (what is compared, limit): "ratio" is pkern / ref
VERDICTS = {
    "128 ns <= stock 1 ns": ("ratio", 1.0),
    "ratio <= 1.5": ("ratio", 1.5),
    "pkern < 1073742 (0.1%)": ("value", 1073742),
    "<= stock": ("ratio", 1.0),
    "< 10737 (0.001%)": ("value", 10737),
    ">= 0.8x memset": ("min-ratio", 0.8),
}


def verdict(goal, p, r):
    if goal not in VERDICTS or not p:
        return goal
    what, limit = VERDICTS[goal]
    pm = statistics.median(p)
    if what == "value":
        return f"{goal}: {'met' if pm < limit else 'NOT met'}"
    if not r or not statistics.median(r):
        return goal
    ratio = pm / statistics.median(r)
    ok = ratio >= limit if what == "min-ratio" else ratio <= limit
    return f"{goal}: {'met' if ok else 'NOT met'}"


def load(path):
    data = {}
    try:
        lines = open(path, encoding="ascii").read().splitlines()
    except OSError as e:
        sys.exit(f"bench: cannot read samples {path}: {e.strerror}; the VM run produced none (see its log)")
    for no, line in enumerate(lines, 1):
        parts = line.split()
        if len(parts) != 2:
            sys.exit(f"bench: {path}:{no}: expected 'KEY VALUE', got '{line}'")
        try:
            value = int(parts[1])
        except ValueError:
            sys.exit(f"bench: {path}:{no}: value '{parts[1]}' is not an integer")
        data.setdefault(parts[0], []).append(value)
    return data


def cell(samples):
    if not samples:
        return "n/a"
    med = statistics.median(samples)
    fmt = (lambda v: f"{v:,.0f}") if med >= 100 else (lambda v: f"{v:g}")
    if len(samples) == 1:
        return f"{fmt(med)} (n=1)"
    return f"{fmt(med)} [{fmt(min(samples))}-{fmt(max(samples))}] (n={len(samples)})"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("raw")
    ap.add_argument("--wall", type=int, help="VM run wall time, seconds")
    ap.add_argument("--min-rows", type=int, default=1)
    args = ap.parse_args()
    data = load(args.raw)
    known = set()
    out = ["| figure | case | unit | pkern | reference | reference value | pkern / ref | goal |",
           "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    filled = 0
    for fig, case, pk, ref, refname, unit, goal in rows():
        known.update(k for k in (pk, ref) if k)
        p = data.get(pk, [])
        r = data.get(ref, []) if ref else []
        if not p:
            continue
        filled += 1
        ratio = ""
        if p and r and statistics.median(r):
            ratio = f"{statistics.median(p) / statistics.median(r):.3g}"
        out.append(f"| {fig} | {case} | {unit} | {cell(p)} | {refname or '-'} | "
                   f"{cell(r) if ref else '-'} | {ratio} | {verdict(goal, p, r)} |")
    unknown = sorted(set(data) - known - {k for k in data if "-kexec." in k})
    if unknown:
        sys.exit(f"bench: {args.raw}: unknown sample keys {', '.join(unknown)}; update tests/bench/table.py")
    if filled < args.min_rows:
        sys.exit(f"bench: only {filled} table rows have data, expected at least {args.min_rows}; see the VM log")
    first = {k[len("restore."):]: v for k, v in data.items() if "-kexec." in k}
    print("\n".join(out))
    print()
    if first:
        print("First load right after a kexec (us; also among the samples above): " +
              ", ".join(f"{k.replace('-kexec.', ' ').replace('.', ' region, ')}"
                        f"{' ns' if k.startswith('pkern') else ''} = "
                        f"{', '.join(str(x) for x in v)}"
                        for k, v in sorted(first.items())))
    if args.wall:
        print(f"VM run wall time: {args.wall} s")


if __name__ == "__main__":
    main()
