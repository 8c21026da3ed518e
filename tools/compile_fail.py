#!/usr/bin/env python3
"""Compile-fail test runner: checks that a diagnostic exists, says the right
thing, and stays short.

    compile_fail.py BUILD_DIR SOURCE.cpp [--ok-twin] [--show-output]

SOURCE is compiled with the command of a gradguard test in
BUILD_DIR/compile_commands.json, with SOURCE in place of its source (the flags
are the same: each depends on gradguard alone), output and dependency-file
options dropped, colours off, C locale. With `-DGRADGUARD_COMPILE_FAIL
-fsyntax-only` the test passes only if

  * the compiler fails;
  * every `// expected-error: <regex>` in SOURCE matches the output
    (re.search, one line at a time is not required: `.` does not cross lines);
  * `// expected-first-error: <regex>` (optional) matches the first output
    line that contains "error";
  * the number of non-empty output lines is at most
    `// diagnostic-lines-at-most: N` (required).

With --ok-twin (the meson tests pass it with g++ only), SOURCE without the
macro (its "ok twin": the fix the message names) must also compile and link.

A case whose first directive is `#include <gradguard/gradguard.hpp>` is
compiled with the build's precompiled umbrella (see with_pch below), at -O0;
g++'s output is then restored to what it is without the PCH.

Each directive may be restricted to one compiler family, e.g.
`// expected-error[gcc]: ...` or `// diagnostic-lines-at-most[clang]: 30`;
a family-specific budget replaces the generic one. The directives may sit
anywhere in the file, usually in the `#ifdef GRADGUARD_COMPILE_FAIL` branch.

The module is also imported by gen_missing_gradients.py and
check_doc_blocks.py for the compile-command handling.
"""
import functools
import json
import os
import pathlib
import re
import shlex
import subprocess
import sys
import tempfile

# Options followed by a separate argument that names an output file.
_OUTPUT_OPTIONS_WITH_ARG = {"-o", "-MF", "-MQ", "-MT"}
# Options that only ask for dependency files, colours or an object file, and
# -Werror (meson's werror=true in CI): a snippet's diagnostics are shown and
# checked as a user without it sees them.
_DROPPED_OPTIONS = {"-MD", "-MMD", "-c", "-fcolor-diagnostics", "-fno-color-diagnostics",
                    "-fdiagnostics-color", "-Werror"}

# Compiler launchers that meson puts in front of the compiler.
_LAUNCHERS = {"ccache", "sccache"}

_DIRECTIVE = re.compile(
    r"//\s*(expected-error|expected-first-error|diagnostic-lines-at-most)"
    r"(?:\[(gcc|clang)\])?:\s*(.*?)\s*$")


def load_compile_commands(build_dir):
    path = pathlib.Path(build_dir) / "compile_commands.json"
    if not path.is_file():
        sys.exit(f"error: {path} not found (is {build_dir} a configured meson build dir?)")
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def entry_arguments(entry):
    if "arguments" in entry:
        return list(entry["arguments"])
    return shlex.split(entry["command"])


def entry_source(entry):
    return pathlib.Path(entry["directory"], entry["file"]).resolve()


def any_gradguard_entry(build_dir):
    """A compile command of a gradguard test: the compiler and flags to use for
    code that is not part of the build (docs). Plain gradguard tests are
    preferred over ones that also use GoogleTest or Eigen."""
    entries = load_compile_commands(build_dir)
    def rank(entry):
        f = entry["file"].replace("\\", "/")
        for i, part in enumerate(("test/static/", "test/compile_fail/", "test/")):
            if part in f:
                return i
        return 9
    entries = [e for e in entries if rank(e) < 9] or entries
    if not entries:
        sys.exit(f"error: no compile command in {build_dir}/compile_commands.json")
    return min(entries, key=rank)


def strip_output_options(args, source=None):
    """Drops -o/-MD/-MF/-MQ/-MT/-c, colour options and -Werror; if `source` is given,
    also drops the source file (so that another one can be appended)."""
    out = []
    skip = False
    for a in args:
        if skip:
            skip = False
            continue
        if a in _OUTPUT_OPTIONS_WITH_ARG:
            skip = True
            continue
        if (a in _DROPPED_OPTIONS or a.startswith("-fdiagnostics-color=")
                or (a.startswith("-o") and len(a) > 2) or a.startswith("-MF")
                or a.startswith("-MQ") or a.startswith("-MT")):
            continue
        if source is not None and a == source:
            continue
        out.append(a)
    while out and pathlib.Path(out[0]).name in _LAUNCHERS:
        out = out[1:]
    return out


def compiler_environment():
    """C locale (plain quotes), no terminal width: stable diagnostics."""
    env = dict(os.environ)
    env["LC_ALL"] = "C"
    env.pop("COLUMNS", None)
    env.pop("GCC_COLORS", None)
    return env


@functools.lru_cache(maxsize=None)
def compiler_identity(compiler):
    """('gcc' | 'clang', major version, first line of --version)."""
    try:
        out = subprocess.run([compiler, "--version"], capture_output=True, text=True,
                             env=compiler_environment(), check=False).stdout
    except OSError as e:
        sys.exit(f"error: cannot run {compiler}: {e}")
    first = out.splitlines()[0] if out else compiler
    family = "clang" if "clang" in out else "gcc"
    m = re.search(r"(?:version\s+|\)\s+)(\d+)\.\d+", first) or re.search(r"\b(\d+)\.\d+\.\d+", first)
    major = int(m.group(1)) if m else 0
    return family, major, first


def run_compiler(args, cwd):
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True, errors="replace",
                          env=compiler_environment(), check=False)
    output = re.sub(r"\x1b\[[0-9;]*[mK]", "", proc.stdout + proc.stderr)
    return proc.returncode, output


def diagnostic_lines(output):
    return [line for line in output.splitlines() if line.strip()]


def first_error_line(output):
    return next((line for line in output.splitlines() if "error" in line), None)


# The precompiled umbrella header. Every snippet the tests compile (the
# compile-fail cases, the doc blocks and the pages' snippets and programs)
# parses <gradguard/gradguard.hpp>, ~1.5 s of its 2-3 s. The build makes one
# PCH of it (test/pch/meson.build runs `compile_fail.py --make-pch`), with the
# flags of any_gradguard_entry at -O0, and a snippet whose first directive is
# that include gets it force-included (-include with g++, -include-pch with
# clang++) and its -O level set to -O0 (the PCH's; a PCH made at another level
# is refused by both compilers). A snippet that does anything before the include
# (a #define that configures the library) is compiled as it is. A PCH older
# than a header it was made of (umbrella_headers) is not used.
PCH_NAME = "gradguard_pch.hpp"
_UMBRELLA = re.compile(r'^\s*#\s*include\s*[<"]gradguard/gradguard\.hpp[>"]')
_SOURCE_ROOT = pathlib.Path(__file__).resolve().parents[1]


def pch_output_name(compiler):
    """The file --make-pch writes for this compiler: gradguard_pch.hpp.gch
    (g++ finds it for `-include gradguard_pch.hpp`) or .pch (clang++)."""
    return PCH_NAME + (".pch" if compiler_identity(compiler)[0] == "clang" else ".gch")


def without_optimisation(args):
    return [a for a in args if not re.fullmatch(r"-O[0-9sgz]?|-Ofast", a)] + ["-O0"]


def make_pch(build_dir, out, depfile):
    """Compiles the umbrella header into `out` with the flags of a gradguard test."""
    entry = any_gradguard_entry(build_dir)
    args = without_optimisation(strip_output_options(entry_arguments(entry),
                                                     source=entry["file"]))
    out = pathlib.Path(out).resolve()
    header = out.with_suffix("")  # gradguard_pch.hpp, beside the PCH: what it was made of
    header.write_text("// The umbrella, precompiled for the tests (tools/compile_fail.py).\n"
                      "#include <gradguard/gradguard.hpp>\n", encoding="utf-8")
    args += ["-x", "c++-header", str(header), "-o", str(out),
             "-MD", "-MF", str(pathlib.Path(depfile).resolve())]
    proc = subprocess.run(args, cwd=entry["directory"], capture_output=True, text=True,
                          env=compiler_environment(), check=False)
    sys.stdout.write(proc.stdout + proc.stderr)
    return proc.returncode


_INCLUDE = re.compile(r'^\s*#\s*include\s*<(gradguard/[^>]+)>', re.M)


@functools.lru_cache(maxsize=None)
def umbrella_headers():
    """The library headers the umbrella includes, directly or not (what its
    PCH was made of): a change to any other header, such as the Eigen ones,
    leaves the PCH current."""
    root = _SOURCE_ROOT / "include"
    seen, todo = set(), ["gradguard/gradguard.hpp"]
    while todo:
        name = todo.pop()
        path = root / name
        if name in seen or not path.is_file():
            continue
        seen.add(name)
        todo += _INCLUDE.findall(path.read_text(encoding="utf-8"))
    return tuple(root / name for name in sorted(seen))


def umbrella_line(text):
    """The line number of `#include <gradguard/gradguard.hpp>` when it is the
    first thing in `text` but comments, blank lines and #line directives, or None."""
    in_comment = False
    for number, line in enumerate(text.splitlines(), 1):
        rest = line.strip()
        while rest:
            if in_comment:
                end = rest.find("*/")
                in_comment, rest = end < 0, ("" if end < 0 else rest[end + 2:].strip())
            elif rest.startswith("/*"):
                in_comment, rest = True, rest[2:]
            else:
                break
        if not rest or rest.startswith("//") or re.match(r"#\s*line\b", rest):
            continue
        return number if _UMBRELLA.match(rest) else None
    return None


def with_pch(args, build_dir, text):
    """(args, line): `args` (compiler first) with the umbrella's PCH
    force-included when `text` can use it, and the line of its include, or the
    args as they are and None (also when `build_dir` is None)."""
    if build_dir is None:
        return args, None
    pch = pathlib.Path(build_dir, "test", "pch", pch_output_name(args[0])).resolve()
    line = umbrella_line(text)
    if line is None or not pch.is_file():
        return args, None
    built = pch.stat().st_mtime
    if any(h.stat().st_mtime > built for h in umbrella_headers()):
        return args, None  # stale (a header changed since the build): parse it
    # g++ would parse the wrapper header beside a PCH it cannot use: make that
    # an error, so that a PCH made with other flags does not go unnoticed.
    use = (["-include-pch", str(pch)] if pch.suffix == ".pch"
           else ["-include", str(pch.with_suffix("")), "-Werror=invalid-pch"])
    return [args[0]] + use + without_optimisation(args[1:]), line


def restore_include_chain(output, source, line, family, cwd):
    """The compiler's output for a PCH-included umbrella as it is without one.
    g++'s include chains then end at the PCH's wrapper header ("from
    .../gradguard_pch.hpp:2:") where they would end at the snippet's include
    ("from <source>:<line>:"). clang++'s start at the snippet's first line and
    go through the wrapper, and its paths are the PCH's: absolute, made from
    the build directory `cwd`."""
    wrapper = r"\S*gradguard_pch\.hpp:\d+"
    if family == "gcc":
        return re.sub(rf"^(In file included|                ) from {wrapper}([:,])$",
                      lambda m: f"{m.group(1)} from {source}:{line}{m.group(2)}",
                      output, flags=re.M)
    output = re.sub(rf"^In file included from \S+:1:\nIn file included from {wrapper}:$",
                    lambda m: f"In file included from {source}:{line}:", output, flags=re.M)
    return output.replace(str(pathlib.Path(cwd).resolve()) + "/", "")


def compile_snippet(args, cwd, build_dir, text, source):
    """(exit code, output) of the compiler command `args` (compiler first) on
    the code `text`, named `source` in `args`: run_compiler with the umbrella's
    PCH where `text` can use it, with the output as it is without one."""
    args, line = with_pch(args, build_dir, text)
    rc, output = run_compiler(args, cwd)
    if line is not None:
        output = restore_include_chain(output, source, line, compiler_identity(args[0])[0], cwd)
    return rc, output


def parse_directives(text, family):
    expected, first, budget, generic_budget = [], [], None, None
    for lineno, line in enumerate(text.splitlines(), 1):
        m = _DIRECTIVE.search(line)
        if not m:
            continue
        kind, only, value = m.groups()
        if only and only != family:
            continue
        if kind == "diagnostic-lines-at-most":
            if not value.isdigit():
                sys.exit(f"error: line {lineno}: diagnostic-lines-at-most needs a number")
            if only:
                budget = int(value)
            elif generic_budget is None:
                generic_budget = int(value)
            continue
        try:
            regex = re.compile(value)
        except re.error as e:
            sys.exit(f"error: line {lineno}: bad regex {value!r}: {e}")
        (first if kind == "expected-first-error" else expected).append((lineno, regex))
    return expected, first, budget if budget is not None else generic_budget


def main(argv):
    if argv[:1] == ["--make-pch"] and len(argv) == 4:
        return make_pch(*argv[1:])
    show = "--show-output" in argv
    ok_twin = "--ok-twin" in argv
    argv = [a for a in argv if a not in ("--show-output", "--ok-twin")]
    if len(argv) != 2:
        sys.exit(__doc__)
    build_dir, source = argv
    name = pathlib.Path(source).name
    entry = any_gradguard_entry(build_dir)
    twin_args = strip_output_options(entry_arguments(entry), source=entry["file"])
    source_arg = os.path.relpath(pathlib.Path(source).resolve(), entry["directory"])
    twin_args.append(source_arg)
    args = twin_args + ["-DGRADGUARD_COMPILE_FAIL", "-fsyntax-only"]
    family, _, version = compiler_identity(args[0])
    text = pathlib.Path(source).read_text(encoding="utf-8")
    expected, first, budget = parse_directives(text, family)
    if budget is None or not (expected or first):
        print(f"FAIL {name}: malformed test: it needs `// diagnostic-lines-at-most: N` and at "
              "least one `// expected-error: <regex>` or `// expected-first-error: <regex>`")
        return 1

    rc, output = compile_snippet(args, entry["directory"], build_dir, text, source_arg)
    lines = diagnostic_lines(output)
    failures = []
    if rc == 0:
        failures.append("the compiler accepted the code (the negative branch compiled)")
    else:
        first_error = first_error_line(output)
        for lineno, regex in first:
            if first_error is None:
                failures.append(f"no output line contains 'error' (expected-first-error at line {lineno})")
            elif not regex.search(first_error):
                failures.append(f"expected-first-error at line {lineno} /{regex.pattern}/ does not "
                                f"match the first error line:\n    {first_error}")
        for lineno, regex in expected:
            if not regex.search(output):
                failures.append(f"expected-error at line {lineno} /{regex.pattern}/ matches no output")
        if len(lines) > budget:
            failures.append(f"the diagnostic has {len(lines)} lines, more than the budget of {budget}")
    if ok_twin:
        with tempfile.TemporaryDirectory(prefix="gg-ok-twin-") as tmp:
            twin_rc, twin_output = compile_snippet(
                twin_args + ["-o", str(pathlib.Path(tmp, "twin"))], entry["directory"],
                build_dir, text, source_arg)
        if twin_rc != 0:
            failures.append("the ok twin (the file without GRADGUARD_COMPILE_FAIL) does not "
                            "compile and link:\n" + twin_output.rstrip())

    summary = (f"{name} [{version}]: {len(lines)} diagnostic lines (budget {budget}), "
               f"{len(expected) + len(first)} regexes" + (", with its ok twin" if ok_twin else ""))
    if failures or show:
        print("---- command (in " + entry["directory"] + ")")
        print(shlex.join(with_pch(args, build_dir, text)[0]))
        print("---- compiler output (exit code %d)" % rc)
        print(output.rstrip())
        print("----")
    if failures:
        for f in failures:
            print("check failed: " + f)
        print("FAIL " + summary)
        return 1
    print("PASS " + summary)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
