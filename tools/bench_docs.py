#!/usr/bin/env python3
"""Turns the JSON of tools/bench_report.py into docs/performance.md and plots.

    python3 tools/bench_docs.py <results.json> [--md docs/performance.md] [--img docs/img]
    python3 tools/bench_docs.py docs/performance.json --check   (the docs test suite)

Writes one PNG per benchmark family (<img>/bench_<family>.png: ns per value +
gradient and the ratio to the hand-written gradient, against the size, one
line per column) with Debian's python3-matplotlib, and the Markdown page:
machine, compiler, date and commands, where gradguard stands on each goal,
then per family its plot and tables (ns, ratio to hand-written, ratio to
double) and the compile-time figures. Both are generated: edit this script
or rerun the suite, not the page.
"""
import argparse
import json
import os
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import bench_report as br  # noqa: E402  (the column order, labels and goals)

DESCRIPTIONS = {
    "sum": "f(x) = sum of x, vectorised: gradguard static is the fold x_1 + ... + x_N "
           "(N <= 16), gg::real_matrix is `gg::sum` of a `gg::real_vector` (one block).",
    "sum_iter": "f(x) = sum of x as the loop `acc += x[i]` on every scalar type.",
    "prod": "f(x) = product of x (x near 1), vectorised: static fold, `gg::prod` of a "
            "`gg::real_vector`.",
    "prod_iter": "f(x) = product of x as the loop `acc *= x[i]`.",
    "log_sum_exp": "f(x) = log(sum exp(x_i)): the loop on every scalar; static fold (N <= 16); "
                   "`gg::log_sum_exp` of a `gg::real_vector`.",
    "normal_log_pdf": "sum over N data points of the normal log density, gradient in "
                      "(mu, sigma), log(sigma) inside the loop as a user writes it.",
    "matrix_product": "f(A, B) = sum(A B), K x K: Eigen on each scalar (the scalar tapes "
                      "record the product element by element) and `gg::real_matrix` "
                      "(one product block).",
    "regression": "Bayesian linear regression log density, X of 1000 x N, inputs (w, b, "
                  "sigma).",
    "stochastic_volatility": "Stan's stochastic volatility model, T time steps.",
    "lse": "GradBench lse: log-sum-exp with the maximum shifted out.",
    "llsq": "GradBench llsq: 0.5 |s - A x|^2, A_ij = t_i^j, m = 128.",
    "gmm": "ADBench/GradBench Gaussian mixture model objective with its Wishart prior, "
           "(d, k, n).",
    "ba": "bundle adjustment: residuals and the reprojection Jacobian (2 x 15 per "
          "observation).",
    "expr20": "a straight-line expression of 20 operations in 2 variables.",
    "expr6": "17 operations in 6 variables.",
    "shared": "a sub-expression used five times.",
    "forward": "a 20-input function (exp, sin, log, a product) for the forward-mode columns, "
               "20 tangents.",
}


def fmt_ns(x):
    if x >= 1e6:
        return f"{x / 1e6:.2f} ms"
    if x >= 1e3:
        return f"{x / 1e3:.2f} µs"
    return f"{x:.1f} ns"


def plot(family, rows, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted(rows, key=br.size_key)
    cols = br.columns_of(rows)
    numeric = all(s and "x" not in s for s in sizes)
    xs = [int(s) for s in sizes] if numeric else list(range(len(sizes)))
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    palette = plt.get_cmap("tab20").colors
    for c in cols:
        i = br.ORDER.index(c) if c in br.ORDER else len(br.ORDER)
        color = palette[2 * i if i < 10 else (2 * (i - 10) + 1) % 20]
        pts = [(x, rows[s][c]) for x, s in zip(xs, sizes) if c in rows[s]]
        style = "-" if c in br.GRADGUARD or c in ("double", "hand") else "--"
        width = 2.2 if c in br.GRADGUARD else 1.2
        if pts:
            ax1.plot(*zip(*pts), style, marker="o", ms=3, lw=width, color=color,
                     label=br.LABELS.get(c, c))
        rpts = [(x, rows[s][c] / rows[s]["hand"]) for x, s in zip(xs, sizes)
                if c in rows[s] and "hand" in rows[s]]
        if rpts and c != "hand":
            ax2.plot(*zip(*rpts), style, marker="o", ms=3, lw=width, color=color)
    for ax in (ax1, ax2):
        ax.set_yscale("log")
        if numeric and len(xs) > 1:
            ax.set_xscale("log")
        if not numeric:
            ax.set_xticks(xs, sizes)
        ax.set_xlabel("size")
        ax.grid(True, which="both", alpha=0.3)
    ax1.set_ylabel("ns per value + gradient")
    ax2.set_ylabel("ratio to the hand-written gradient")
    ax2.axhline(br.TAPE_GOAL, color="grey", lw=0.8, ls=":")
    ax1.legend(fontsize=7, ncol=2)
    fig.suptitle(family)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def table(rows, cols, cell):
    sizes = sorted(rows, key=br.size_key)
    out = ["| size | " + " | ".join(br.LABELS.get(c, c) for c in cols) + " |",
           "| " + " | ".join(["---"] * (len(cols) + 1)) + " |"]
    for s in sizes:
        out.append(f"| {s or '-'} | " + " | ".join(cell(rows[s], c) for c in cols) + " |")
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", type=pathlib.Path)
    parser.add_argument("--md", type=pathlib.Path, default=pathlib.Path("docs/performance.md"))
    parser.add_argument("--img", type=pathlib.Path, default=pathlib.Path("docs/img"))
    parser.add_argument("--check", action="store_true",
                        help="only check that the page is the one the JSON gives (no plots)")
    opts = parser.parse_args()
    try:
        if not opts.check:
            import matplotlib  # noqa: F401  (only whether it is there)
    except ImportError:
        sys.exit("tools/bench_docs.py needs matplotlib: apt-get install python3-matplotlib, and "
                 "run it with Debian's /usr/bin/python3")
    r = json.loads(opts.results.read_text())
    tbl = r["table"]
    if not opts.check:
        opts.img.mkdir(parents=True, exist_ok=True)
    rel_img = os.path.relpath(opts.img, opts.md.parent)

    md = ["# Performance", "",
          "<!-- Generated by tools/bench_docs.py from the JSON of tools/bench_report.py: "
          "do not edit; rerun the suite. -->", "",
          f"* **Date:** {r['date']}, {r['mode']} mode: median of {r['repetitions']} "
          f"repetitions per benchmark (largest spread, coefficient of variation: "
          f"{r['largest_cv'] * 100:.1f}%).",
          f"* **Machine:** {r['machine']}.",
          f"* **Compiler:** {r['compiler']}; meson options "
          + ", ".join(f"`{k}={v}`" for k, v in sorted(r["build_options"].items())) + ".",
          f"* **Commands:** `./gradguard.sh bench` (this page: full mode), which runs "
          f"`{r['command']}` and `python3 tools/bench_docs.py`; `./gradguard.sh demo` runs "
          f"the short mode (`--short`).",
          f"* **Checked:** before timing, each of the {r['start_up_checks']} AD columns was "
          "compared with the hand-written gradient at every input row (relative error "
          "<= 1e-9), and each hand-written gradient with central finite differences; a "
          "mismatch aborts the run.",
          "", "Every AD column records inside the timed loop, except ADOL-C replay (a tape "
          "recorded once, re-evaluated at each input). gradguard's tape records values and "
          "has no replay. Forward columns (gg::dual, Sacado SFad, Ceres Jet, Eigen "
          "AutoDiffScalar) run where there are at most 16 inputs, with one pass of 16 or "
          "fewer tangents. Columns are explained in `bench/harness.hpp`, each family in "
          "its file in `bench/`.", ""]

    # Goals.
    md += ["## Goals", "",
           f"* static expressions at most {br.STATIC_GOAL}x the hand-written gradient;",
           f"* the tape (gg::tape; gg::real_matrix where a family has no scalar tape "
           f"column, and beside it elsewhere) at most {br.TAPE_GOAL:g}x the hand-written "
           "gradient and faster than every reverse-mode peer (ADOL-C taping and replay, "
           "Sacado Rad);",
           f"* gg::real_matrix at most {br.MATRIX_GOAL:g}x the double function on the matrix "
           f"workloads ({', '.join(sorted(br.MATRIX_FAMILIES))});",
           "* gg::dual at least as fast as each forward-mode peer.", "",
           "| family | goal | met | not met (size: measured) |", "| --- | --- | --- | --- |"]
    for family in sorted(tbl):
        for name, (met, total, misses) in br.goal_summary(family, tbl[family]).items():
            md.append(f"| {family} | {name} | {met} of {total} | {'; '.join(misses) or '-'} |")
    md.append("")

    for family in sorted(tbl, key=lambda f: (f in br.MATRIX_FAMILIES, f)):
        rows = tbl[family]
        cols = br.columns_of(rows)
        if not opts.check:
            plot(family, rows, opts.img / f"bench_{family}.png")
        md += [f"## {family}", "", DESCRIPTIONS.get(family, ""), "",
               f"![{family}]({rel_img}/bench_{family}.png)", "", "ns per value + gradient:", ""]
        md += table(rows, cols, lambda v, c: fmt_ns(v[c]) if c in v else "–")
        ratio_cols = [c for c in cols if c not in ("double", "hand")]
        if any("hand" in v for v in rows.values()):
            md += ["", "Ratio to the hand-written gradient:", ""]
            md += table(rows, ratio_cols,
                        lambda v, c: f"{v[c] / v['hand']:.2f}x" if c in v and "hand" in v else "–")
        if any("double" in v for v in rows.values()):
            md += ["", "Ratio to the double function (value only):", ""]
            md += table(rows, ["hand"] + ratio_cols,
                        lambda v, c: f"{v[c] / v['double']:.2f}x" if c in v and "double" in v
                        else "–")
        md.append("")

    if r.get("compile"):
        md += ["## Compile time", "",
               "Each benchmark translation unit rebuilt alone (`ninja -j1`), its time from "
               "`.ninja_log`, release build:", "",
               "| translation unit | build time | object size |", "| --- | --- | --- |"]
        for c in r["compile"]:
            md.append(f"| `{c['tu']}` | {c['seconds']:.1f} s | {c['object_bytes'] / 1024:.0f} KiB |")
        md.append("")
    text = "\n".join(md) + "\n"
    if opts.check:
        if not opts.md.exists() or opts.md.read_text() != text:
            sys.exit(f"{opts.md} is not the page {opts.results} gives: regenerate it with "
                     f"python3 tools/bench_docs.py {opts.results} (./gradguard.sh bench reruns "
                     "the suite and does)")
        print(f"{opts.md} is the page {opts.results} gives")
        return
    opts.md.write_text(text)
    print(f"wrote {opts.md} and {len(tbl)} plots in {opts.img}")


if __name__ == "__main__":
    main()
