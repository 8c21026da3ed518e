#!/usr/bin/env python3
"""Runs every bench_* executable of a build and prints the overhead table.

    tools/bench_report.py <build_dir> [--short] [--filter REGEX] [--only NAME]

Each executable in <build_dir>/bench whose name starts with bench_ runs with
Google Benchmark's JSON output; all runs are merged into
<build_dir>/bench/results.json. Benchmarks are paired by family:
BM_<family>_double (the plain function), BM_<family>_hand (a hand-written
gradient), BM_<family>_gradguard (value + gradient with gradguard's static
expressions) and BM_<family>_tape (value + gradient with gradguard's tape);
any other suffix (a peer library: adolcretape, adolcreplay, sacado, ...) is
printed as an extra column. BM_<family>_realmatrix is gradguard's tape with
matrix-valued variables (gg::real_matrix), shown with its ratios to hand and
double and the goal of at most 4x the double function. BM_<family>_dual is gradguard's forward mode
(gg::dual), shown with dual / hand and dual / double and the goal of being at
least as fast as each forward-mode peer column (jet, autodiffscalar). The table shows the median ns per call and the
ratios gradguard / hand-written and gradguard / double (and tape / hand,
tape / double), against the goals of DESIGN.md: gradguard <= 1.2x
hand-written; tape <= 3x hand-written and faster than every peer column.
Families ending in _<N> (sum_10, sum_1000, ...) sort by N.

--short: --benchmark_min_time=0.05, 3 repetitions (well under a minute).
Default: 10 repetitions with the library's default minimum time.
--filter REGEX: passed to every executable as --benchmark_filter.
--only NAME: run only the executables whose name contains NAME.
"""
import argparse
import json
import os
import pathlib
import re
import subprocess
import sys

GOAL = 1.2  # gradguard / hand-written, static expressions (DESIGN.md)
TAPE_GOAL = 3.0  # tape / hand-written, loop-written functions; and faster than every peer
MATRIX_GOAL = 4.0  # realmatrix / double: matrix workloads with gg::real_matrix
NAME = re.compile(r"^BM_(?P<family>.+)_(?P<variant>[A-Za-z0-9]+)$")
SIZED = re.compile(r"^(?P<stem>.+)_(?P<n>[0-9]+)$")  # sum_1000: sorts by N
BASE = ["double", "hand", "gradguard", "tape", "realmatrix", "dual"]
PEERS = ["adolcretape", "adolcreplay", "sacado"]  # peer AD libraries, in this order
# Forward-mode peers of gradguard's gg::dual (goal: dual at least as fast as each).
FORWARD_PEERS = ["jet", "autodiffscalar"]


def run(executable, short, bench_filter):
    args = [str(executable), "--benchmark_format=json", "--benchmark_report_aggregates_only=true"]
    if short:
        args += ["--benchmark_min_time=0.05", "--benchmark_repetitions=3"]
    else:
        args += ["--benchmark_repetitions=10"]
    if bench_filter is not None:
        args += [f"--benchmark_filter={bench_filter}"]
    done = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        sys.exit(f"{executable.name} failed ({done.returncode}):\n{done.stderr}")
    for line in done.stderr.splitlines():  # the start-up gradient checks
        print(f"  {executable.name}: {line}", file=sys.stderr)
    if not done.stdout.strip():  # --filter matched nothing in this executable
        return None
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


def family_key(family):
    """sum_10 < sum_1000 < sum_100000; other families alphabetically."""
    m = SIZED.match(family)
    return (m["stem"], int(m["n"])) if m else (family, -1)


def columns(table):
    """Variant columns: double, hand, gradguard, tape, the peers, then any other.

    gradguard is shown when a family has it or no family is a tape family (the
    static-expression table as before); tape is shown as soon as a family has
    it or a peer column, so a missing tape reads "-" beside the peers."""
    present = {v for row in table.values() for v in row}
    tape_families = any(is_tape_family(row) for row in table.values())
    shown = ["double", "hand"]
    others = tape_families or "dual" in present or "realmatrix" in present
    if "gradguard" in present or not others:
        shown.append("gradguard")
    if tape_families:
        shown.append("tape")
    if "realmatrix" in present:
        shown.append("realmatrix")
    if "dual" in present:
        shown.append("dual")
    shown += [p for p in PEERS if p in present]
    shown += [p for p in FORWARD_PEERS if p in present]
    shown += sorted(present - set(BASE) - set(PEERS) - set(FORWARD_PEERS))
    return shown


def is_tape_family(row):
    return "tape" in row or any(p in row for p in PEERS)


def goal(v):
    """The goal cell of one family (v: {variant: ns})."""
    parts = []
    if "dual" in v:
        slower = [f"not faster than {p} ({v['dual'] / v[p]:.2f}x)"
                  for p in FORWARD_PEERS if p in v and v["dual"] > v[p]]
        parts.append("dual met" if not slower else "dual NOT met: " + ", ".join(slower))
    if "gradguard" in v and "hand" in v:
        parts.append("met" if v["gradguard"] / v["hand"] <= GOAL else "NOT met")
    if "realmatrix" in v and "double" in v:
        r = v["realmatrix"] / v["double"]
        parts.append(f"realmatrix met" if r <= MATRIX_GOAL
                     else f"realmatrix NOT met ({r:.2f}x double > {MATRIX_GOAL:g}x)")
    if is_tape_family(v):
        if "tape" not in v:
            parts.append("- (no tape)")
        else:
            failed = []
            if "hand" in v and v["tape"] / v["hand"] > TAPE_GOAL:
                failed.append(f"{v['tape'] / v['hand']:.2f}x hand > {TAPE_GOAL:g}x")
            for peer in [p for p in PEERS if p in v] + sorted(set(v) - set(BASE) - set(PEERS)):
                if v["tape"] >= v[peer]:
                    failed.append(f"not faster than {peer} ({v['tape'] / v[peer]:.2f}x)")
            parts.append("met" if not failed else "NOT met: " + ", ".join(failed))
    return "; ".join(parts) if parts else "-"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build_dir", type=pathlib.Path)
    parser.add_argument("--short", action="store_true", help="quick run: min time 0.05 s, 3 repetitions")
    parser.add_argument("--filter", metavar="REGEX",
                        help="passed to every executable as --benchmark_filter")
    parser.add_argument("--only", metavar="NAME",
                        help="run only the executables whose name contains NAME")
    opts = parser.parse_args()

    bench_dir = opts.build_dir / "bench"
    executables = sorted(p for p in bench_dir.glob("bench_*")
                         if p.is_file() and os.access(p, os.X_OK) and p.suffix == "")
    if not executables:
        sys.exit(f"no bench_* executables in {bench_dir}; build them first "
                 f"(meson setup {opts.build_dir} --buildtype=release && ninja -C {opts.build_dir})")
    if opts.only is not None:
        executables = [p for p in executables if opts.only in p.name]
        if not executables:
            sys.exit(f"no bench_* executable in {bench_dir} has {opts.only!r} in its name")

    merged = {"context": None, "benchmarks": []}
    for exe in executables:
        print(f"running {exe.name} ...", file=sys.stderr, flush=True)
        results = run(exe, opts.short, opts.filter)
        if results is None:
            print(f"  {exe.name}: no benchmark matches --filter {opts.filter}", file=sys.stderr)
            continue
        merged["context"] = merged["context"] or results["context"]
        for b in results["benchmarks"]:
            b["executable"] = exe.name
        merged["benchmarks"] += results["benchmarks"]
    if merged["context"] is None:
        sys.exit(f"no benchmark matches --filter {opts.filter}")
    if merged["context"].get("library_build_type") == "debug":
        print("note: the system libbenchmark reports a debug build; that affects its own "
              "bookkeeping, not the code measured", file=sys.stderr)
    out = bench_dir / "results.json"
    out.write_text(json.dumps(merged, indent=2))

    table = medians(merged)
    shown = columns(table)
    ratios = []  # (header, variant, reference)
    if "gradguard" in shown:
        ratios += [("gg/hand", "gradguard", "hand"), ("gg/double", "gradguard", "double")]
    if "tape" in shown:
        ratios += [("tape/hand", "tape", "hand"), ("tape/double", "tape", "double")]
    if "realmatrix" in shown:
        ratios += [("matrix/hand", "realmatrix", "hand"), ("matrix/double", "realmatrix", "double")]
    if "dual" in shown:
        ratios += [("dual/hand", "dual", "hand"), ("dual/double", "dual", "double")]
    tape_families = "tape" in shown
    only_static = not tape_families and "dual" not in shown and "realmatrix" not in shown
    goal_head = f"goal <= {GOAL}x hand" if only_static else "goal"
    head = ["family"] + [f"{c} ns" for c in shown] + [r[0] for r in ratios] + [goal_head]
    rows = []
    for family, v in sorted(table.items(), key=lambda item: family_key(item[0])):
        def cell(key):
            return f"{v[key]:.1f}" if key in v else "-"
        def ratio(a, b):
            return f"{v[a] / v[b]:.2f}x" if a in v and b in v else "-"
        rows.append([family] + [cell(c) for c in shown] + [ratio(a, b) for _, a, b in ratios] +
                    [goal(v)])
    widths = [max(len(r[i]) for r in [head] + rows) for i in range(len(head))]
    line = lambda r: "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
    print(line(head))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print(line(r))
    reps = 3 if opts.short else 10
    cv = spread(merged)
    if tape_families:
        static = f"gradguard <= {GOAL}x hand; " if "gradguard" in shown else ""
        tape_peers = [p for p in shown
                      if p not in BASE and p not in FORWARD_PEERS and not p.startswith("dual")]
        print(f"\ngoal: {static}tape <= {TAPE_GOAL:g}x hand and faster than every peer column "
              f"({', '.join(tape_peers) or 'none built'})")
    if "realmatrix" in shown:
        print(f"goal: realmatrix (gg::real_matrix) <= {MATRIX_GOAL:g}x double")
    if "dual" in shown:
        print(f"goal: dual at least as fast as {' and '.join(FORWARD_PEERS)}")
    print(f"\nmedian of {reps} repetitions (real time); largest run-to-run spread "
          f"(coefficient of variation) {cv * 100:.1f}%" if cv is not None else "")
    print(f"results: {out}")


if __name__ == "__main__":
    main()
