#!/usr/bin/env python3
"""Runs every bench_* executable of a build and prints the overhead table.

    tools/bench_report.py <build_dir> [--short]

Each executable in <build_dir>/bench whose name starts with bench_ runs with
Google Benchmark's JSON output; all runs are merged into
<build_dir>/bench/results.json. Benchmarks are paired by family:
BM_<family>_double (the plain function), BM_<family>_hand (a hand-written
gradient) and BM_<family>_gradguard (value + gradient with gradguard); any
other suffix (a peer library) is printed as an extra column. The table shows
the median ns per call and the ratios gradguard / hand-written and
gradguard / double, against the goal of DESIGN.md (<= 1.2x hand-written).

--short: --benchmark_min_time=0.05, 3 repetitions (well under a minute).
Default: 10 repetitions with the library's default minimum time.
"""
import argparse
import json
import os
import pathlib
import re
import subprocess
import sys

GOAL = 1.2  # gradguard / hand-written, static expressions (DESIGN.md)
NAME = re.compile(r"^BM_(?P<family>.+)_(?P<variant>[A-Za-z0-9]+)$")


def run(executable, short):
    args = [str(executable), "--benchmark_format=json", "--benchmark_report_aggregates_only=true"]
    if short:
        args += ["--benchmark_min_time=0.05", "--benchmark_repetitions=3"]
    else:
        args += ["--benchmark_repetitions=10"]
    done = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        sys.exit(f"{executable.name} failed ({done.returncode}):\n{done.stderr}")
    for line in done.stderr.splitlines():  # the start-up gradient checks
        print(f"  {executable.name}: {line}", file=sys.stderr)
    return json.loads(done.stdout)


def to_ns(value, unit):
    return value * {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}[unit]


def medians(results):
    """{family: {variant: median ns per call}} from the aggregate rows."""
    table = {}
    for b in results["benchmarks"]:
        if b.get("run_type") != "aggregate" or b.get("aggregate_name") != "median":
            continue
        m = NAME.match(b["run_name"])
        if m:
            table.setdefault(m["family"], {})[m["variant"]] = to_ns(b["real_time"], b["time_unit"])
    return table


def spread(results):
    """Largest coefficient of variation among the runs, as a noise hint."""
    cvs = [b["real_time"] for b in results["benchmarks"]
           if b.get("run_type") == "aggregate" and b.get("aggregate_name") == "cv"]
    return max(cvs) if cvs else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build_dir", type=pathlib.Path)
    parser.add_argument("--short", action="store_true", help="quick run: min time 0.05 s, 3 repetitions")
    opts = parser.parse_args()

    bench_dir = opts.build_dir / "bench"
    executables = sorted(p for p in bench_dir.glob("bench_*")
                         if p.is_file() and os.access(p, os.X_OK) and p.suffix == "")
    if not executables:
        sys.exit(f"no bench_* executables in {bench_dir}; build them first "
                 f"(meson setup {opts.build_dir} --buildtype=release && ninja -C {opts.build_dir})")

    merged = {"context": None, "benchmarks": []}
    for exe in executables:
        print(f"running {exe.name} ...", file=sys.stderr, flush=True)
        results = run(exe, opts.short)
        merged["context"] = merged["context"] or results["context"]
        for b in results["benchmarks"]:
            b["executable"] = exe.name
        merged["benchmarks"] += results["benchmarks"]
    if merged["context"].get("library_build_type") == "debug":
        print("note: the system libbenchmark reports a debug build; that affects its own "
              "bookkeeping, not the code measured", file=sys.stderr)
    out = bench_dir / "results.json"
    out.write_text(json.dumps(merged, indent=2))

    table = medians(merged)
    extra = sorted({v for row in table.values() for v in row} - {"double", "hand", "gradguard"})
    head = ["family", "double ns", "hand ns", "gradguard ns"] + [f"{v} ns" for v in extra] + \
           ["gg/hand", "gg/double", f"goal <= {GOAL}x hand"]
    rows = []
    for family, v in sorted(table.items()):
        def cell(key):
            return f"{v[key]:.1f}" if key in v else "-"
        def ratio(a, b):
            return v[a] / v[b] if a in v and b in v else None
        gh, gd = ratio("gradguard", "hand"), ratio("gradguard", "double")
        goal = "-" if gh is None else ("met" if gh <= GOAL else "NOT met")
        rows.append([family, cell("double"), cell("hand"), cell("gradguard")] +
                    [cell(e) for e in extra] +
                    [f"{gh:.2f}x" if gh else "-", f"{gd:.2f}x" if gd else "-", goal])
    widths = [max(len(r[i]) for r in [head] + rows) for i in range(len(head))]
    line = lambda r: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
    print(line(head))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(line(r))
    reps = 3 if opts.short else 10
    cv = spread(merged)
    print(f"\nmedian of {reps} repetitions (real time); largest run-to-run spread "
          f"(coefficient of variation) {cv * 100:.1f}%" if cv is not None else "")
    print(f"results: {out}")


if __name__ == "__main__":
    main()
