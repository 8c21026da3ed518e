#!/usr/bin/env python3
"""Runs the benchmark suite of a release build and reports it.

    tools/bench_report.py <build_dir> [--short] [--filter REGEX] [--only NAME]
                          [--out FILE] [--compile-times]

Runs every bench_* executable in <build_dir>/bench with Google Benchmark's
JSON output and writes one JSON file (default <build_dir>/bench/results.json)
holding the raw runs, the medians per family, size and column, the machine,
the compiler, the date, the command, and (with --compile-times) the build
time and object size of every benchmark translation unit. Prints one table
per family: ns per value + gradient for every column, and each column's
ratio to the hand-written gradient and to the plain double function, then
where gradguard stands on the goals (GOALS below).

Benchmark names are BM_<family>_<size>_<column> (bench/harness.hpp); a
family without sizes is BM_<family>_<column>. Columns: double (the function
only), hand (hand-written gradient), gradguard (static expressions), tape
(gg::tape, recording in the timed loop), realmatrix (gg::tape with
matrix-valued variables), dual (gg::dual, forward), and the peers: adolcretape,
adolcreplay, sacado (reverse mode), sacadofad, jet, autodiffscalar (forward).

--short: a subset of sizes (SHORT_FILTER), --benchmark_min_time=0.02, 3
  repetitions: about a minute, the README's main command runs it.
Default (full): every size, --benchmark_min_time=0.1, 5 repetitions.
--compile-times: rebuilds every benchmark object with ninja -j1 first (so the
  times do not include another compilation's load) and records its build time
  (from .ninja_log) and object size.
tools/bench_docs.py turns the JSON into docs/performance.md and docs/img/*.png.
"""
import argparse
import datetime
import json
import os
import pathlib
import platform
import re
import shlex
import subprocess
import sys

NAME = re.compile(r"^BM_(?P<family>.+)_(?P<column>[A-Za-z0-9]+)$")
SIZED = re.compile(r"^(?P<stem>.+?)_(?P<size>[0-9][0-9x]*)$")  # sum_iter_16, gmm_10x25x1000

GRADGUARD = ["gradguard", "tape", "realmatrix", "dual"]
REVERSE_PEERS = ["adolcretape", "adolcreplay", "sacado"]
FORWARD_PEERS = ["sacadofad", "jet", "autodiffscalar"]
ORDER = ["double", "hand"] + GRADGUARD + REVERSE_PEERS + FORWARD_PEERS
LABELS = {
    "double": "double", "hand": "hand-written", "gradguard": "gradguard static",
    "tape": "gg::tape", "realmatrix": "gg::real_matrix", "dual": "gg::dual",
    "adolcretape": "ADOL-C taping", "adolcreplay": "ADOL-C replay", "sacado": "Sacado Rad",
    "sacadofad": "Sacado SFad", "jet": "Ceres Jet", "autodiffscalar": "Eigen AutoDiffScalar",
    "dualdynamic": "gg::dual<dynamic>",
}

# The goals of the benchmark issue (DESIGN.md, "Performance contract").
STATIC_GOAL = 1.2  # gradguard static / hand
TAPE_GOAL = 3.0  # tape / hand, and faster than every reverse-mode peer
MATRIX_GOAL = 4.0  # realmatrix / double on the matrix workloads
MATRIX_FAMILIES = {"matrix_product", "regression", "llsq", "gmm"}

# The short mode: a few sizes of each family (the whole suite takes ~20 min).
SHORT_FILTER = "|".join([
    r"BM_(sum|sum_iter|prod|prod_iter|log_sum_exp|normal_log_pdf)_(16|1024)_",
    r"BM_matrix_product_(8|32)_", r"BM_regression_10_", r"BM_stochastic_volatility_(8|512)_",
    r"BM_lse_(10|10000)_", r"BM_llsq_(8|512)_", r"BM_gmm_10x25x1000_", r"BM_ba_1024_",
    r"BM_(expr20|expr6|shared|forward)_",
])


def split_name(run_name):
    """BM_sum_iter_16_tape -> ("sum_iter", "16", "tape"); unsized: size None."""
    m = NAME.match(run_name)
    if not m:
        return None
    family, column = m["family"], m["column"]
    s = SIZED.match(family)
    if s:
        return s["stem"], s["size"], column
    return family, None, column


def size_key(size):
    if not size:
        return ()
    return tuple(int(p) for p in size.split("x"))


def to_ns(value, unit):
    return value * {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}[unit]


def run(executable, mode, bench_filter):
    args = [str(executable), "--benchmark_format=json", "--benchmark_report_aggregates_only=true"]
    if mode == "short":
        args += ["--benchmark_min_time=0.02", "--benchmark_repetitions=3"]
    elif mode == "compare":  # tools/bench_compare.py: each build is run more than once
        args += ["--benchmark_min_time=0.05", "--benchmark_repetitions=3"]
    else:
        args += ["--benchmark_min_time=0.1", "--benchmark_repetitions=5"]
    if bench_filter is not None:
        args += [f"--benchmark_filter={bench_filter}"]
    done = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        sys.exit(f"{executable.name} failed ({done.returncode}):\n{done.stderr}")
    checks = [line for line in done.stderr.splitlines() if line.strip()]
    if not done.stdout.strip():  # the filter matched nothing in this executable
        return None, checks
    return json.loads(done.stdout), checks


def medians(benchmarks):
    """{family: {size: {column: median ns}}} and the largest spread (cv)."""
    table, cv = {}, 0.0
    for b in benchmarks:
        if b.get("run_type") != "aggregate":
            continue
        parts = split_name(b["run_name"])
        if parts is None:
            continue
        family, size, column = parts
        if b.get("aggregate_name") == "median":
            table.setdefault(family, {}).setdefault(size or "", {})[column] = to_ns(
                b["real_time"], b["time_unit"])
        elif b.get("aggregate_name") == "cv":
            cv = max(cv, b["real_time"])
    return table, cv


def columns_of(rows):
    present = {c for row in rows.values() for c in row}
    return [c for c in ORDER if c in present] + sorted(present - set(ORDER))


def goals(family, v):
    """[(goal, met, text)] for one row {column: ns}."""
    out = []
    hand, double = v.get("hand"), v.get("double")
    if "gradguard" in v and hand:
        r = v["gradguard"] / hand
        out.append(("static <= 1.2x hand", r <= STATIC_GOAL, f"static {r:.2f}x hand"))
    peers = [p for p in REVERSE_PEERS if p in v]
    for col in ("tape", "realmatrix"):
        if col not in v or (col == "realmatrix" and family in MATRIX_FAMILIES):
            continue
        parts, met = [], True
        if hand:
            r = v[col] / hand
            met &= r <= TAPE_GOAL
            parts.append(f"{r:.2f}x hand")
        slower = [f"{v[col] / v[p]:.2f}x {p}" for p in peers if v[col] >= v[p]]
        met &= not slower
        parts += [f"slower than {s}" for s in slower]
        out.append(("tape <= 3x hand, faster than reverse peers", met, f"{col}: " + ", ".join(parts)))
    if "realmatrix" in v and family in MATRIX_FAMILIES and double:
        r = v["realmatrix"] / double
        out.append(("real_matrix <= 4x double", r <= MATRIX_GOAL, f"realmatrix {r:.2f}x double"))
    if "dual" in v:
        fw = [p for p in FORWARD_PEERS if p in v]
        slower = [f"{v['dual'] / v[p]:.2f}x {p}" for p in fw if v["dual"] > v[p]]
        out.append(("dual as fast as forward peers", not slower,
                    "dual: " + (", ".join(f"slower than {s}" for s in slower) or "fastest forward")))
    return out


def goal_summary(family, rows):
    """{goal: (met, total, ["size: measured", ...])} over a family's sizes."""
    out = {}
    for size in sorted(rows, key=size_key):
        for name, met, text in goals(family, rows[size]):
            g = out.setdefault(name, [0, 0, []])
            g[1] += 1
            if met:
                g[0] += 1
            else:
                g[2].append(f"{size or '-'}: {text}")
    return {name: tuple(g) for name, g in out.items()}


def machine():
    model = "unknown"
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(pathlib.Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return f"{model}, {os.cpu_count()} cores{mem}, {platform.system()} {platform.release()}"


def compiler(build_dir):
    log = build_dir / "meson-logs" / "meson-log.txt"
    try:
        for line in log.read_text(errors="replace").splitlines():
            if line.startswith("C++ compiler for the host machine:"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def build_options(build_dir):
    try:
        opts = json.loads((build_dir / "meson-info" / "intro-buildoptions.json").read_text())
    except (OSError, ValueError):
        return {}
    keep = {"buildtype", "optimization", "debug", "b_ndebug", "cpp_args"}
    return {o["name"]: o["value"] for o in opts if o["name"] in keep}


def bench_objects(build_dir):
    """The object files of the bench/ translation units, per ninja."""
    done = subprocess.run(["ninja", "-C", str(build_dir), "-t", "targets", "all"],
                          stdout=subprocess.PIPE, text=True, check=True)
    objs = []
    for line in done.stdout.splitlines():
        target = line.split(":", 1)[0]
        if target.startswith("bench/") and target.endswith(".cpp.o"):
            objs.append(target)
    return sorted(objs)


def compile_times(build_dir):
    """Rebuilds each benchmark object alone (-j1) and reads its time off .ninja_log."""
    objs = bench_objects(build_dir)
    for o in objs:
        p = build_dir / o
        if p.exists():
            p.unlink()
    print(f"rebuilding {len(objs)} benchmark objects with -j1 for their compile times ...",
          file=sys.stderr, flush=True)
    subprocess.run(["ninja", "-C", str(build_dir), "-j1"] + objs, check=True,
                   stdout=subprocess.DEVNULL)
    last = {}
    for line in (build_dir / ".ninja_log").read_text().splitlines()[1:]:
        f = line.split("\t")
        if len(f) >= 4:
            last[f[3]] = (int(f[1]) - int(f[0])) / 1000.0
    rows = []
    for o in objs:
        tu = re.sub(r"^bench/bench_[^/]*\.p/", "bench/", o).removesuffix(".o")
        rows.append({"tu": tu, "seconds": last.get(o), "object_bytes": (build_dir / o).stat().st_size})
    return rows


def print_table(title, rows, cols, cell):
    head = ["size"] + cols
    body = [[size or "-"] + [cell(rows[size], c) for c in cols]
            for size in sorted(rows, key=size_key)]
    widths = [max(len(r[i]) for r in [head] + body) for i in range(len(head))]
    fmt = lambda r: "  ".join(c.rjust(w) for c, w in zip(r, widths))
    print(title)
    print(fmt(head))
    for line in body:
        print(fmt(line))


def print_tables(table):
    for family in sorted(table, key=lambda f: (f in MATRIX_FAMILIES, f)):
        rows = table[family]
        cols = columns_of(rows)
        ratio_cols = [c for c in cols if c not in ("double", "hand")]
        print(f"\n== {family}")
        print_table("ns per value + gradient (median):", rows, cols,
                    lambda v, c: f"{v[c]:.1f}" if c in v else "-")
        ratio = lambda ref: (lambda v, c: f"{v[c] / v[ref]:.2f}x" if c in v and ref in v else "-")
        if ratio_cols and any("hand" in r for r in rows.values()):
            print_table("ratio to the hand-written gradient:", rows, ratio_cols, ratio("hand"))
        if ratio_cols and any("double" in r for r in rows.values()):
            print_table("ratio to the double function:", rows, ["hand"] + ratio_cols,
                        ratio("double"))
        summary = goal_summary(family, rows)
        total = sum(t for _, t, _ in summary.values())
        misses = [m for _, _, ms in summary.values() for m in ms]
        print(f"goals: {total - len(misses)} of {total} met" +
              ("" if not misses else "; not met: " + "; ".join(misses)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build_dir", type=pathlib.Path)
    parser.add_argument("--short", action="store_true", help="a subset of sizes, ~1 minute")
    parser.add_argument("--filter", metavar="REGEX", help="--benchmark_filter for every executable")
    parser.add_argument("--only", metavar="NAME", help="only the executables whose name has NAME")
    parser.add_argument("--out", type=pathlib.Path, help="the JSON file to write")
    parser.add_argument("--compile-times", action="store_true",
                        help="rebuild the benchmark objects one at a time and record their cost")
    opts = parser.parse_args()

    bench_dir = opts.build_dir / "bench"
    executables = sorted(p for p in bench_dir.glob("bench_*")
                         if p.is_file() and os.access(p, os.X_OK) and p.suffix == "")
    if opts.only is not None:
        executables = [p for p in executables if opts.only in p.name]
    if not executables:
        sys.exit(f"no bench_* executables{' matching ' + opts.only if opts.only else ''} in "
                 f"{bench_dir}; build them first (meson setup {opts.build_dir} "
                 f"--buildtype=release && ninja -C {opts.build_dir})")
    mode = "short" if opts.short else "full"
    bench_filter = opts.filter or (SHORT_FILTER if opts.short else None)

    compile_rows = compile_times(opts.build_dir) if opts.compile_times else None
    merged, checks = [], []
    context = None
    for exe in executables:
        print(f"running {exe.name} ...", file=sys.stderr, flush=True)
        results, lines = run(exe, mode, bench_filter)
        checks += [f"{exe.name}: {line}" for line in lines]
        if results is None:
            continue
        context = context or results["context"]
        for b in results["benchmarks"]:
            b["executable"] = exe.name
        merged += results["benchmarks"]
    if not merged:
        sys.exit(f"no benchmark matches --filter {bench_filter}")
    table, cv = medians(merged)
    checked = sum(1 for line in checks if ": checked " in line)
    report = {
        "mode": mode,
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "compiler": compiler(opts.build_dir),
        "build_options": build_options(opts.build_dir),
        "command": "python3 tools/bench_report.py " + " ".join(shlex.quote(a) for a in sys.argv[1:]),
        "repetitions": 3 if opts.short else 5,
        "largest_cv": cv,
        "library_context": context,
        "start_up_checks": checked,
        "table": table,
        "compile": compile_rows,
        "benchmarks": merged,
    }
    out = opts.out or bench_dir / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1))

    print(f"{report['machine']}; {report['compiler']}; {mode} mode, median of "
          f"{report['repetitions']} repetitions (largest spread, coefficient of variation: "
          f"{cv * 100:.1f}%); {checked} columns checked against the hand-written gradient")
    print_tables(table)
    if compile_rows:
        print("\ncompile time (ninja -j1) and object size per benchmark translation unit")
        for r in compile_rows:
            print(f"  {r['tu']:<36} {r['seconds']:6.1f} s  {r['object_bytes'] / 1024:8.0f} KiB")
    print(f"\ngoals: static <= {STATIC_GOAL}x hand; tape <= {TAPE_GOAL:g}x hand and faster than "
          f"every reverse-mode peer ({', '.join(REVERSE_PEERS)}); gg::real_matrix <= "
          f"{MATRIX_GOAL:g}x double on {', '.join(sorted(MATRIX_FAMILIES))}; gg::dual at least "
          f"as fast as the forward peers ({', '.join(FORWARD_PEERS)})")
    print(f"results: {out}  (docs: python3 tools/bench_docs.py {out})")


if __name__ == "__main__":
    main()
