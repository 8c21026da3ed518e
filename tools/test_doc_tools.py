#!/usr/bin/env python3
"""Checks that the documentation's checks can fail: check_doc_blocks.py and
gen_missing_gradients.py on small pages made here, with blocks that pass,
fail, do not compile, and output that has gone stale.

    test_doc_tools.py --build-dir BUILD

Both tools compile the pages' programs as one (tools/program_group.py); this
is the test that a failing program in the group is still named, that a group
that does not compile falls back to the blocks one by one, and that a stale
output is still seen.
"""
import argparse
import pathlib
import subprocess
import sys
import tempfile

TOOLS = pathlib.Path(__file__).resolve().parent

PASSING = """\
# Blocks

A statement block:

```cpp
gg::tape tape;
gg::real x = tape.variable("x", 3.0);
assert(tape.gradient(x * x, {x})[x] == 6.0);
```

A whole program whose main ends without a return:

```cpp
#include <gradguard/gradguard.hpp>
#include <cstdio>
namespace gg = gradguard;
int main() {
  if (gg::value(gg::var<"x">(2.0)) != 2.0) { return 1; }
  std::puts("fine");
}
```

Compiled only:

```cpp compile-only
std::abort();
```
"""

FAILING_RUN = """
A block that fails when it runs:

```cpp
return 3;
```
"""

NOT_COMPILING = """
A block that does not compile:

```cpp
undeclared_name = 1;
```
"""

TEMPLATE = """\
# Programs

<!-- run: hello expect: hello -->
```cpp
#include <cstdio>
int main() {
  std::puts("hello");
}
```

<!-- output: hello -->

<!-- run: answer -->
```cpp
#include <cstdio>
int main() { std::printf("%d\\n", 6 * 7); }
```

<!-- output: answer -->
"""


def run(args):
    proc = subprocess.run([sys.executable] + [str(a) for a in args], capture_output=True,
                          text=True, check=False)
    return proc.returncode, proc.stdout + proc.stderr


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build-dir", required=True)
    opts = parser.parse_args()
    problems = []

    def expect(what, condition, output):
        if not condition:
            problems.append(f"{what}; the output was:\n{output}")

    with tempfile.TemporaryDirectory(prefix="gg-doc-tools-") as tmp:
        tmp = pathlib.Path(tmp)
        blocks = [TOOLS / "check_doc_blocks.py", "--build-dir", opts.build_dir,
                  "--source-root", tmp]
        page = tmp / "page.md"

        page.write_text(PASSING, encoding="utf-8")
        rc, out = run(blocks + [page])
        expect("three good blocks must pass", rc == 0 and "PASS: 3 of 3" in out, out)

        page.write_text(PASSING + FAILING_RUN, encoding="utf-8")
        rc, out = run(blocks + [page])
        line = (PASSING + FAILING_RUN).splitlines().index("return 3;") + 1
        expect("a block that exits with 3 must fail, named by its line",
               rc == 1 and f"FAIL page.md:{line} [run]: exited with 3" in out
               and "PASS" not in out and "3 of 4" in out, out)

        page.write_text(PASSING + NOT_COMPILING, encoding="utf-8")
        rc, out = run(blocks + [page])
        line = (PASSING + NOT_COMPILING).splitlines().index("undeclared_name = 1;") + 1
        expect("a block that does not compile must fail alone, named by its line",
               rc == 1 and "each is checked alone" in out
               and f"FAIL page.md:{line} [run]: does not compile" in out
               and f"page.md:{line}" in out.split("does not compile", 1)[1]
               and "3 of 4" in out, out)

        template = tmp / "programs.md.in"
        template.write_text(TEMPLATE, encoding="utf-8")
        generated = tmp / "programs.md"
        generate = [TOOLS / "gen_missing_gradients.py", "--build-dir", opts.build_dir, template]
        rc, out = run(generate + ["-o", generated])
        text = generated.read_text(encoding="utf-8") if generated.is_file() else ""
        expect("the programs' output must be pasted in",
               rc == 0 and "```text\nhello\n```" in text and "```text\n42\n```" in text, out)
        rc, out = run(generate + ["--check", generated])
        expect("a page just generated must be current", rc == 0 and "PASS" in out, out)
        generated.write_text(text.replace("```text\n42\n```", "```text\n41\n```"),
                             encoding="utf-8")
        rc, out = run(generate + ["--check", generated])
        expect("a stale output must fail the check", rc == 1 and "FAIL" in out, out)

    for p in problems:
        print(f"FAIL: {p}")
    print("PASS: the doc checks fail where they must" if not problems else
          f"{len(problems)} failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
