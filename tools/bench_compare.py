#!/usr/bin/env python3
"""Compares the benchmarks of two release builds: did a change slow gradguard down?

    tools/bench_compare.py <old_build_dir> <new_build_dir> [--only NAME]
                           [--filter REGEX] [--rounds N] [--threshold X]

Runs every bench_* executable the two builds share, alternately (old, new,
then new, old, ... for --rounds rounds, default 2), with Google Benchmark's
JSON output (3 repetitions, --benchmark_min_time=0.05). For every gradguard
column (tools/bench_report.py GRADGUARD) it prints the ratio to the
hand-written gradient of the same run in each build and the change
new/old of that ratio: a ratio, not a time, so that the machine's drift
between the runs of the two builds (5-20% on a busy 2-core machine) cancels.
Then the median change per family and overall, and the rows whose change
is above --threshold (default 1.15) in every round, the regressions to
look at. Exits with 1 when there are such rows.

To compare with an older commit:
    git worktree add /tmp/old <commit>
    (cd /tmp/old && meson setup build/release --buildtype=release -Dtests=disabled)
    ninja -C /tmp/old/build/release && ninja -C build/release
    python3 tools/bench_compare.py /tmp/old/build/release build/release --only prod
"""
import argparse
import pathlib
import statistics
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from bench_report import GRADGUARD, run, split_name, to_ns  # noqa: E402


def executables(build_dir, only):
    bench = build_dir / "bench"
    return {p.name: p for p in bench.glob("bench_*")
            if p.is_file() and p.suffix == "" and (only is None or only in p.name)}


def hand_ratios(results):
    """{(family, size, column): ratio to hand} of one run of one executable."""
    ns = {}
    for b in results["benchmarks"]:
        parts = split_name(b["run_name"])
        if b.get("aggregate_name") == "median" and parts is not None:
            ns[parts] = to_ns(b["real_time"], b["time_unit"])
    return {(f, s, c): t / ns[(f, s, "hand")] for (f, s, c), t in ns.items()
            if c in GRADGUARD and ns.get((f, s, "hand"), 0) > 0}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", type=pathlib.Path)
    parser.add_argument("new", type=pathlib.Path)
    parser.add_argument("--only", metavar="NAME", help="only the executables whose name has NAME")
    parser.add_argument("--filter", metavar="REGEX", help="--benchmark_filter for every executable")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--threshold", type=float, default=1.15)
    opts = parser.parse_args()
    if opts.rounds < 1:
        sys.exit("--rounds must be at least 1")

    old, new = executables(opts.old, opts.only), executables(opts.new, opts.only)
    shared = sorted(old.keys() & new.keys())
    if not shared:
        sys.exit(f"no bench_* executable{' matching ' + opts.only if opts.only else ''} is in both "
                 f"{opts.old}/bench and {opts.new}/bench; build them first")
    for name in sorted(old.keys() ^ new.keys()):
        print(f"note: {name} is in one build only, not compared", file=sys.stderr)

    ratios = {}  # (family, size, column) -> {"old": [...], "new": [...]}
    for r in range(opts.rounds):
        for name in shared:
            for side in (("old", "new") if r % 2 == 0 else ("new", "old")):
                exe = (old if side == "old" else new)[name]
                print(f"round {r + 1}: {side} {name} ...", file=sys.stderr, flush=True)
                results, _ = run(exe, "compare", opts.filter)
                if results is None:
                    continue
                for key, ratio in hand_ratios(results).items():
                    ratios.setdefault(key, {"old": [], "new": []})[side].append(ratio)

    rows = []
    for key, sides in sorted(ratios.items()):
        if len(sides["old"]) != opts.rounds or len(sides["new"]) != opts.rounds:
            continue  # a column of one build only
        o, n = statistics.median(sides["old"]), statistics.median(sides["new"])
        every = all(b / a > opts.threshold for a, b in zip(sides["old"], sides["new"]))
        rows.append((key, o, n, n / o, every))
    if not rows:
        sys.exit("no gradguard column with a hand-written one ran in both builds")

    print(f"{'benchmark':44} {'old/hand':>9} {'new/hand':>9} {'change':>7}")
    for (family, size, column), o, n, change, every in rows:
        name = "_".join(p for p in (family, size, column) if p)
        print(f"{name:44} {o:9.2f} {n:9.2f} {change:7.3f}{'  <- slower' if every else ''}")
    print("\nmedian change of the ratio to hand-written, per family:")
    for family in sorted({k[0] for k, *_ in rows}):
        changes = [c for k, _, _, c, _ in rows if k[0] == family]
        print(f"  {family:28} {statistics.median(changes):6.3f}  ({len(changes)} columns)")
    changes = [c for _, _, _, c, _ in rows]
    slower = [r for r in rows if r[4]]
    print(f"all: {statistics.median(changes):.3f} over {len(changes)} columns (min "
          f"{min(changes):.3f}, max {max(changes):.3f}); {len(slower)} slower by more than "
          f"{opts.threshold}x in every one of {opts.rounds} rounds")
    sys.exit(1 if slower else 0)


if __name__ == "__main__":
    main()
