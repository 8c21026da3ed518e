#!/usr/bin/env python3
"""Checks that the C++ sources are formatted by the pinned clang-format.

    check_format.py CLANG_FORMAT SOURCE_ROOT [--fix]

The style is SOURCE_ROOT/.clang-format; the formatter is clang-format 14,
Debian 12's `clang-format` (package clang-format-14): another version formats
some constructs differently (16 moves requires-clauses and the calls of
immediately invoked lambdas), so the version is checked. The sources are every .hpp and .cpp
under include/, src/, test/, bench/ and examples/. With --fix the files are
rewritten in place (clang-format -i) instead.
"""
import pathlib
import re
import subprocess
import sys

DIRS = ["include", "src", "test", "bench", "examples"]
VERSION = 14


def main(argv):
    fix = "--fix" in argv
    args = [a for a in argv if a != "--fix"]
    if len(args) != 2:
        sys.exit(__doc__)
    tool, root = args[0], pathlib.Path(args[1])
    version = subprocess.run([tool, "--version"], capture_output=True, text=True,
                             check=False).stdout
    m = re.search(r"version (\d+)\.", version)
    if not m or int(m.group(1)) != VERSION:
        sys.exit(f"error: {tool} is {version.strip()!r}, the style is pinned to clang-format "
                 f"{VERSION} (apt-get install clang-format-{VERSION})")
    files = sorted(str(p) for d in DIRS for p in (root / d).rglob("*")
                   if p.suffix in (".hpp", ".cpp") and p.is_file())
    mode = ["-i"] if fix else ["--dry-run", "--Werror"]
    proc = subprocess.run([tool, *mode, f"--style=file:{root / '.clang-format'}", *files],
                          capture_output=True, text=True, check=False)
    if fix:
        print(f"formatted {len(files)} files")
        return proc.returncode
    bad = sorted({line.split(":")[0] for line in proc.stderr.splitlines()
                  if ": error: code should be clang-formatted" in line})
    if proc.returncode != 0:
        for f in bad:
            print("not formatted: " + str(pathlib.Path(f).relative_to(root)))
        print(f"FAIL: {len(bad)} of {len(files)} files differ from clang-format {VERSION}'s "
              f"output; run\n  python3 tools/check_format.py {tool} . --fix")
        return 1
    print(f"PASS: {len(files)} files as clang-format {VERSION} formats them")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
