#!/usr/bin/env python3
"""Compile-fail test runner: checks that a diagnostic exists, says the right
thing, and stays short.

    compile_fail.py BUILD_DIR SOURCE.cpp [--show-output]

SOURCE is also compiled normally by meson (its "ok twin", with g++), so its
compile command is in BUILD_DIR/compile_commands.json; without a twin (clang++)
the command of another gradguard test is used, with SOURCE in place of its
source (the flags are the same: each depends on gradguard alone). That command
is replayed with
`-DGRADGUARD_COMPILE_FAIL -fsyntax-only` (output and dependency-file options
dropped, colours off, C locale), and the test passes only if

  * the compiler fails;
  * every `// expected-error: <regex>` in SOURCE matches the output
    (re.search, one line at a time is not required: `.` does not cross lines);
  * `// expected-first-error: <regex>` (optional) matches the first output
    line that contains "error";
  * the number of non-empty output lines is at most
    `// diagnostic-lines-at-most: N` (required).

Each directive may be restricted to one compiler family, e.g.
`// expected-error[gcc]: ...` or `// diagnostic-lines-at-most[clang]: 30`;
a family-specific budget replaces the generic one. The directives may sit
anywhere in the file, usually in the `#ifdef GRADGUARD_COMPILE_FAIL` branch.

The module is also imported by gen_missing_gradients.py and
check_doc_blocks.py for the compile-command handling.
"""
import json
import os
import pathlib
import re
import shlex
import subprocess
import sys

# Options followed by a separate argument that names an output file.
_OUTPUT_OPTIONS_WITH_ARG = {"-o", "-MF", "-MQ", "-MT"}
# Options that only ask for dependency files, colours or an object file.
_DROPPED_OPTIONS = {"-MD", "-MMD", "-c", "-fcolor-diagnostics", "-fno-color-diagnostics",
                    "-fdiagnostics-color"}

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


def find_entry(build_dir, source):
    """The compile_commands.json entry that compiles `source`, or None."""
    source = pathlib.Path(source).resolve()
    for entry in load_compile_commands(build_dir):
        if entry_source(entry) == source:
            return entry
    return None


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
    """Drops -o/-MD/-MF/-MQ/-MT/-c and colour options; if `source` is given,
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
    show = "--show-output" in argv
    argv = [a for a in argv if a != "--show-output"]
    if len(argv) != 2:
        sys.exit(__doc__)
    build_dir, source = argv
    name = pathlib.Path(source).name
    entry = find_entry(build_dir, source)
    if entry is not None:
        args = strip_output_options(entry_arguments(entry))
    else:  # no ok twin in this build: the flags of another gradguard test
        entry = any_gradguard_entry(build_dir)
        args = strip_output_options(entry_arguments(entry), source=entry["file"])
        args.append(os.path.relpath(pathlib.Path(source).resolve(), entry["directory"]))
    args += ["-DGRADGUARD_COMPILE_FAIL", "-fsyntax-only"]
    family, _, version = compiler_identity(args[0])
    text = pathlib.Path(source).read_text(encoding="utf-8")
    expected, first, budget = parse_directives(text, family)
    if budget is None or not (expected or first):
        print(f"FAIL {name}: malformed test: it needs `// diagnostic-lines-at-most: N` and at "
              "least one `// expected-error: <regex>` or `// expected-first-error: <regex>`")
        return 1

    rc, output = run_compiler(args, entry["directory"])
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

    summary = (f"{name} [{version}]: {len(lines)} diagnostic lines (budget {budget}), "
               f"{len(expected) + len(first)} regexes")
    if failures or show:
        print("---- command (in " + entry["directory"] + ")")
        print(shlex.join(args))
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
