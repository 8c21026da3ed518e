#!/usr/bin/env python3
"""Compile cost of deep static expressions and of the public headers
(docs/design.md, "Compile cost" and "Include cost").

    tools/compile_cost.py [--cxx g++] [--what vg] [--timeout 300] horner:25 horner:100 sin:400 ...
    tools/compile_cost.py --headers [--cxx g++] [--runs 5]

For each shape:size it writes a translation unit that builds the expression
(horner:N is p = p * x + c_i for N steps, 2N nodes; sin:N is sin nested N
deep), asks for `what` (value, depends_on, vg = value_and_gradient, d = gg::d)
and prints the CPU time (user + system: the machine may be busy) and the peak memory of `CXX -std=c++20 -O2 -c`.

With --headers it prints, for each public entry header (HEADERS), a Markdown
table row: the preprocessed lines of a file holding just its #include, the
Boost headers it reads, and the median CPU time of `CXX -std=c++20
-fsyntax-only` over --runs runs.
"""
import argparse
import os
import statistics
import pathlib
import re
import signal
import subprocess
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent

SHAPES = {
    "horner": "if constexpr (N == 0) return x; else return build<N - 1>(x) * x + double(N);",
    "sin": "if constexpr (N == 0) return x; else return gg::sin(build<N - 1>(x));",
}
WHAT = {
    "value": "return gg::value(f);",
    "depends_on": "return gg::depends_on(f, x) ? 1.0 : 0.0;",
    "vg": "auto [v, g] = gg::value_and_gradient(f, x); return v + g;",
    "d": "return gg::value(gg::d(f, x));",
}


def source(shape, n, what):
    return f"""#include <gradguard/gradguard.hpp>
namespace gg = gradguard;
template <int N, class X> constexpr auto build(const X& x) {{ {SHAPES[shape]} }}
double run(double xv) {{
  auto x = gg::var<"x">(xv);
  auto f = build<{n}>(x);
  {WHAT[what]}
}}
"""


def measure(cxx, include, code, timeout):
    with tempfile.TemporaryDirectory() as tmp:
        src = pathlib.Path(tmp) / "cost.cpp"
        src.write_text(code)
        cmd = ["/usr/bin/time", "-v", cxx, "-std=c++20", "-O2", f"-I{include}", "-c",
               str(src), "-o", str(pathlib.Path(tmp) / "cost.o")]
        with subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True, start_new_session=True) as c:
            try:
                _, err = c.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(c.pid, signal.SIGKILL)  # the compiler too, not only `time`
                return f"> {timeout} s"
        cpu = sum(float(t) for t in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", err))
        rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)
        status = "ok" if c.returncode == 0 else "error: " + next(
            (l for l in err.splitlines() if "error" in l), "?")[:150]
        return f"{cpu:7.1f} s {int(rss.group(1)) / 1024:7.0f} MB  {status}"


# The headers a user includes (the module umbrellas and the entry points).
HEADERS = ["gradguard/fwd.hpp", "gradguard/rules.hpp", "gradguard/static.hpp",
           "gradguard/forward.hpp", "gradguard/tape.hpp", "gradguard/derivatives.hpp",
           "gradguard/gradguard.hpp", "gradguard/eigen.hpp"]


def header_cost(cxx, include, header, runs):
    """(preprocessed lines, Boost headers read, median CPU seconds of -fsyntax-only)."""
    flags = [cxx, "-std=c++20", f"-I{include}", "-isystem", "/usr/include/eigen3", "-x", "c++"]
    code = f"#include <{header}>\n"
    pre = subprocess.run(flags + ["-E", "-"], input=code, capture_output=True, text=True,
                         check=True).stdout
    deps = subprocess.run(flags + ["-M", "-"], input=code, capture_output=True, text=True,
                          check=True).stdout
    boost = len(set(re.findall(r"/boost/\S+\.hpp", deps)))
    times = []
    for _ in range(runs):
        cmd = ["/usr/bin/time", "-f", "%U %S"] + flags + ["-fsyntax-only", "-"]
        err = subprocess.run(cmd, input=code, capture_output=True, text=True, check=True).stderr
        user, system = err.split()[-2:]
        times.append(float(user) + float(system))
    return pre.count("\n"), boost, statistics.median(times)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cxx", default="g++")
    p.add_argument("--what", default="vg", choices=WHAT)
    p.add_argument("--timeout", type=int, default=300)
    p.add_argument("--include", default=str(ROOT / "include"), help="gradguard's include dir")
    p.add_argument("--print", action="store_true", help="print the source instead")
    p.add_argument("--headers", action="store_true", help="the cost of each public header")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("cases", nargs="*")
    a = p.parse_args()
    if a.headers:
        print("| header | preprocessed lines | Boost headers | parse (s, median) |")
        print("|---|---:|---:|---:|")
        for h in HEADERS:
            lines, boost, seconds = header_cost(a.cxx, a.include, h, a.runs)
            print(f"| `<{h}>` | {lines:,} | {boost} | {seconds:.2f} |", flush=True)
        return
    for case in a.cases:
        shape, n = case.split(":")
        code = source(shape, int(n), a.what)
        if a.print:
            print(code)
            continue
        print(f"{case:12} {a.what:10} {measure(a.cxx, a.include, code, a.timeout)}", flush=True)


if __name__ == "__main__":
    main()
