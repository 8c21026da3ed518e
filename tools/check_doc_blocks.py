#!/usr/bin/env python3
"""Compiles and runs every C++ code block of the documentation.

    check_doc_blocks.py --build-dir BUILD [--source-root ROOT] [-j N] [FILE.md ...]

Without FILE arguments it checks ROOT/README.md (if present) and ROOT/docs/*.md.
The compiler and flags are those of a gradguard test in
BUILD/compile_commands.json (see compile_fail.any_gradguard_entry), plus the
include directories of every other dependency recorded there (Eigen, ...).

Conventions for fenced blocks (the info string after the backticks):

  ```cpp               compiled and run; the program must exit with 0.
  ```cpp compile-only  compiled and linked, not run.
  ```cpp compile-fail  must NOT compile (compiled with -fsyntax-only). A line
                       `// expected-error: <regex>` inside the block must then
                       match the compiler output.
  ```cpp fragment      not checked: for the rare illustration that is not a
                       sequence of statements (keep these few).
  other languages      (```python, ```text, ```sh, ...) are not checked.

A block right under a `<!-- snippet: ... -->` or `<!-- run: ... -->` marker
(docs/missing-gradients.md, docs/tape.md) is left to the pages' own test,
tools/gen_missing_gradients.py --check, which compiles and runs it already.

A block that contains `int main` is a whole program and compiled as it is.
Any other block is a list of statements and is wrapped:

    #include <gradguard/gradguard.hpp>
    <the block's own #include lines>
    #include <cassert>
    namespace gg = gradguard;
    int main() {
    <the rest of the block>
    }

(the umbrella first, so that the build's precompiled umbrella serves every
wrapped block: compile_fail.with_pch), so a block can use `gg::`, `assert` and
`static_assert` without ceremony, but
cannot define templates or types with member templates (gradguard rules):
write those as whole programs.

The blocks that are run or compile-only are compiled together, as one
program (tools/program_group.py: one compile instead of one per block, since
the umbrella and Eigen take seconds to parse and their instantiations are
shared), and each run block is run in a process of its own. A block that
cannot join the group (a #define, a main with parameters; program_group.why_not)
is compiled alone. When the group does not compile, each of its blocks is
checked alone, so that a failure names its own block. `#line` directives make
the compiler report positions in the Markdown file itself (e.g. docs/guide.md:42).

A block that includes <gradguard/eigen.hpp> or <Eigen/...> needs Eigen: its
include directory comes from the build (a test compiled with Eigen) or, failing
that, from `pkg-config --cflags eigen3`; without Eigen such blocks are skipped,
and the summary says so.
"""
import argparse
import concurrent.futures
import itertools
import pathlib
import re
import shlex
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import compile_fail  # noqa: E402  (the compile-command handling is shared)
import program_group  # noqa: E402  (the blocks compiled as one program)

_FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*)$")
_GENERATED_MARKER = re.compile(r"^\s*<!--\s*(snippet|run):")
_MODES = {"run", "compile-only", "compile-fail", "fragment"}


class Block:
    def __init__(self, path, line, mode, code):
        self.path, self.line, self.mode, self.code = path, line, mode, code

    @property
    def where(self):
        return f"{self.path}:{self.line}"


def extract_blocks(path, display):
    """The ```cpp blocks of a Markdown file: (first code line, mode, code)."""
    lines = pathlib.Path(path).read_text(encoding="utf-8").splitlines()
    blocks, i = [], 0
    while i < len(lines):
        m = _FENCE_OPEN.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, info = m.group("indent"), m.group("fence"), m.group("info").split()
        start = i + 1
        j = start
        while j < len(lines) and not lines[j].strip().startswith(fence[0] * len(fence)):
            j += 1
        # A block under a `<!-- snippet: -->` or `<!-- run: -->` marker of a
        # generated page is compiled (and run) by gen_missing_gradients.py's
        # "is current" test already: not twice.
        k = i - 1
        while k >= 0 and not lines[k].strip():
            k -= 1
        if info and info[0] in ("cpp", "c++") and k >= 0 and _GENERATED_MARKER.match(lines[k]):
            i = j + 1
            continue
        if info and info[0] in ("cpp", "c++"):
            flags = info[1:]
            unknown = [f for f in flags if f not in _MODES]
            if unknown:
                sys.exit(f"error: {display}:{i + 1}: unknown code block flag(s) {unknown}; "
                         f"known: {sorted(_MODES - {'run'})}")
            mode = flags[0] if flags else "run"
            body = [l[len(indent):] if l.startswith(indent) else l.lstrip() for l in lines[start:j]]
            blocks.append(Block(display, start + 1, mode, body))
        i = j + 1
    return blocks


def program_text(block):
    """The translation unit for a block, with #line pointing into the .md."""
    quoted = block.path.replace("\\", "/")
    if any(re.search(r"\bint\s+main\s*\(", l) for l in block.code):
        return f'#line {block.line} "{quoted}"\n' + "\n".join(block.code) + "\n"
    includes = [(n, l) for n, l in enumerate(block.code) if l.lstrip().startswith("#include")]
    out = ["#line 1 \"<doc block wrapper>\"", "#include <gradguard/gradguard.hpp>"]
    out += [f'#line {block.line + n} "{quoted}"\n{l}' for n, l in includes]
    out += ["#line 1 \"<doc block wrapper>\"", "#include <cassert>",
            "namespace gg = gradguard;", "int main() {"]
    out.append(f'#line {block.line} "{quoted}"')
    included = {n for n, _ in includes}
    out += ["" if n in included else l for n, l in enumerate(block.code)]
    out.append("}")
    return "\n".join(out) + "\n"


def as_program(block):
    """The block as a member of the group (tools/program_group.py)."""
    whole = any(re.search(r"\bint\s+main\s*\(", l) for l in block.code)
    return program_group.Program(block.path, block.line, block.code, statements=not whole)


def groupable(block):
    return block.mode in ("run", "compile-only") and program_group.why_not(as_program(block)) is None


def compile_group(blocks, command, cwd, build_dir, workdir):
    """(exe or None, compiler output) of `blocks` compiled as one program."""
    src = pathlib.Path(workdir, "group.cpp")
    exe = pathlib.Path(workdir, "group")
    text = program_group.group_text([as_program(b) for b in blocks])
    src.write_text(text, encoding="utf-8")
    rc, out = compile_fail.compile_snippet(command + [str(src), "-o", str(exe)], cwd, build_dir,
                                           text, str(src))
    return (exe if rc == 0 else None), out


def run_in_group(exe, index, workdir):
    """(ok, what, output) of the block at `index` of the group's executable."""
    try:
        proc = subprocess.run([str(exe), str(index)], cwd=workdir, capture_output=True,
                              text=True, errors="replace", timeout=60, check=False)
    except subprocess.TimeoutExpired:
        return False, "ran for more than 60 s", ""
    if proc.returncode != 0:
        return False, f"exited with {proc.returncode}", proc.stdout + proc.stderr
    return True, "compiles and runs", ""


def base_command(build_dir):
    """(compiler and flags without a source or outputs, working directory)."""
    entry = compile_fail.any_gradguard_entry(build_dir)
    args = compile_fail.strip_output_options(compile_fail.entry_arguments(entry),
                                             source=entry["file"])
    # Include directories of other dependencies (Eigen, ...) recorded elsewhere.
    have = set(args)
    for other in compile_fail.load_compile_commands(build_dir):
        oargs = compile_fail.entry_arguments(other)
        for k, a in enumerate(oargs):
            if a in ("-isystem", "-I") and k + 1 < len(oargs) and oargs[k + 1].startswith("/"):
                pair = [a, oargs[k + 1]]
                if pair[1] not in have:
                    args += pair
                    have.add(pair[1])
            elif (a.startswith("-isystem/") or a.startswith("-I/")) and a not in have:
                args.append(a)
                have.add(a)
    # The blocks test behaviour, not speed: compiled without optimisation (half
    # the time of -O2 for a block that includes gradguard.hpp).
    args = [a for a in args if not re.fullmatch(r"-O[0-9sgz]?|-Ofast", a)] + ["-O0"]
    # Warnings that would stop a doc block and that a reader would not fix.
    return args + ["-Wno-unused-variable", "-Wno-unused-but-set-variable"], entry["directory"]


def needs_eigen(block):
    return any(re.match(r"\s*#\s*include\s*<(gradguard/eigen\.hpp|gradguard/eigen/|Eigen/)", l)
               for l in block.code)


def include_dirs(args):
    out = []
    for k, a in enumerate(args):
        if a in ("-isystem", "-I") and k + 1 < len(args):
            out.append(args[k + 1])
        elif a.startswith("-isystem") or a.startswith("-I"):
            out.append(a[len("-isystem"):] if a.startswith("-isystem") else a[2:])
    return out


def eigen_flags(command, cwd):
    """[] when the command already finds <Eigen/Core>, the flags of pkg-config's
    eigen3 when they do, or None: Eigen is not available."""
    def has_eigen(dirs):
        return any(pathlib.Path(cwd, d, "Eigen", "Core").is_file() for d in dirs)
    if has_eigen(include_dirs(command)):
        return []
    try:
        out = subprocess.run(["pkg-config", "--cflags", "eigen3"], capture_output=True,
                             text=True, check=False).stdout
    except OSError:
        return None
    dirs = include_dirs(shlex.split(out))
    return [f for d in dirs for f in ("-isystem", d)] if has_eigen(dirs) else None


def check_block(block, command, cwd, build_dir, workdir, index):
    src = pathlib.Path(workdir, f"block{index}.cpp")
    exe = pathlib.Path(workdir, f"block{index}")
    text = program_text(block)
    src.write_text(text, encoding="utf-8")
    if block.mode == "compile-fail":
        rc, out = compile_fail.compile_snippet(command + ["-fsyntax-only", str(src)], cwd,
                                               build_dir, text, str(src))
        if rc == 0:
            return False, "compiled, but is marked compile-fail", out
        for line in block.code:
            m = re.search(r"//\s*expected-error:\s*(.*?)\s*$", line)
            if m and not re.search(m.group(1), out):
                return False, f"expected-error /{m.group(1)}/ matches no output", out
        return True, "fails to compile, as marked", ""
    rc, out = compile_fail.compile_snippet(command + [str(src), "-o", str(exe)], cwd, build_dir,
                                           text, str(src))
    if rc != 0:
        return False, "does not compile", out
    if block.mode == "compile-only":
        return True, "compiles", out
    try:
        proc = subprocess.run([str(exe)], cwd=workdir, capture_output=True, text=True,
                              errors="replace", timeout=60, check=False)
    except subprocess.TimeoutExpired:
        return False, "ran for more than 60 s", ""
    if proc.returncode != 0:
        return False, f"exited with {proc.returncode}", proc.stdout + proc.stderr
    return True, "compiles and runs", out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--source-root", default=str(pathlib.Path(__file__).resolve().parents[1]))
    parser.add_argument("-j", "--jobs", type=int, default=2)
    parser.add_argument("files", nargs="*")
    opts = parser.parse_args()

    root = pathlib.Path(opts.source_root).resolve()
    if opts.files:
        files = [pathlib.Path(f).resolve() for f in opts.files]
    else:
        files = ([root / "README.md"] if (root / "README.md").is_file() else [])
        files += sorted((root / "docs").glob("*.md"))

    def display(p):
        try:
            return p.relative_to(root).as_posix()
        except ValueError:
            return str(p)

    blocks = [b for f in files for b in extract_blocks(f, display(f))]
    command, cwd = base_command(opts.build_dir)
    eigen = eigen_flags(command, cwd) if any(map(needs_eigen, blocks)) else []
    no_eigen = [b for b in blocks if b.mode != "fragment" and eigen is None and needs_eigen(b)]
    for b in no_eigen:
        print(f"skip {b.where} [{b.mode}]: needs Eigen, which neither the build nor pkg-config "
              f"eigen3 provides")
    checked = [b for b in blocks if b.mode != "fragment" and b not in no_eigen]
    failures = 0
    flags = lambda bs: command + (eigen if any(map(needs_eigen, bs)) else [])  # noqa: E731
    grouped = [b for b in checked if groupable(b)]
    alone = [b for b in checked if not groupable(b)]
    index = itertools.count()  # names the temporary files
    with tempfile.TemporaryDirectory(prefix="gg-doc-blocks-") as workdir:
        with concurrent.futures.ThreadPoolExecutor(max(1, opts.jobs)) as pool:
            def submit(b):
                return b, pool.submit(check_block, b, flags([b]), cwd, opts.build_dir, workdir,
                                      next(index))
            group = pool.submit(compile_group, grouped, flags(grouped), cwd, opts.build_dir,
                                workdir) if grouped else None
            single = [submit(b) for b in alone]
            if group:
                exe, out = group.result()
                if exe:
                    runs = [(b, pool.submit(run_in_group, exe, k, workdir) if b.mode == "run"
                             else None) for k, b in enumerate(grouped)]
                    for b, fut in runs:
                        ok, what, run_out = fut.result() if fut else (True, "compiles", "")
                        print(f"{'ok  ' if ok else 'FAIL'} {b.where} [{b.mode}]: {what} "
                              f"(in the group)")
                        if not ok:
                            failures += 1
                            print(run_out.rstrip())
                else:
                    # Each block alone, so that a failure names its block.
                    print(f"note: the {len(grouped)} blocks fail to compile as one program; "
                          f"each is checked alone")
                    again = [submit(b) for b in grouped]
                    single += again
                    if all(f.result()[0] for _, f in again):
                        failures += 1  # together they fail, alone they pass: say so
                        print("FAIL: the blocks compile alone but not as one program "
                              "(a name shared between blocks?)")
                        print(out.rstrip())
            for b, fut in single:
                ok, what, out = fut.result()
                print(f"{'ok  ' if ok else 'FAIL'} {b.where} [{b.mode}]: {what}")
                if not ok:
                    failures += 1
                    print(out.rstrip())
    skipped = len(blocks) - len(checked) - len(no_eigen)
    notes = ([f"{skipped} fragments skipped"] if skipped else []) + (
        [f"{len(no_eigen)} blocks skipped (no Eigen)"] if no_eigen else [])
    print(f"{'FAIL' if failures else 'PASS'}: {len(checked) - failures} of {len(checked)} C++ "
          f"blocks in {len(files)} files passed" + "".join(", " + n for n in notes))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
