#!/usr/bin/env python3
"""Checks that <gradguard/gradguard.hpp> includes every header that
<gradguard/static.hpp> includes, directly (the umbrella lists them itself so
that a diagnostic of the static engine shows one include level fewer), and
static.hpp itself.

    check_umbrellas.py INCLUDE_DIR
"""
import pathlib
import re
import sys

_INCLUDE = re.compile(r'^#include <(gradguard/[^>]+)>', re.M)


def includes(path):
    return _INCLUDE.findall(path.read_text(encoding="utf-8"))


def main(root):
    root = pathlib.Path(root)
    umbrella = set(includes(root / "gradguard" / "gradguard.hpp"))
    missing = [h for h in includes(root / "gradguard" / "static.hpp") + ["gradguard/static.hpp"]
               if h not in umbrella]
    for h in missing:
        print(f"gradguard/gradguard.hpp does not include <{h}> directly "
              f"(gradguard/static.hpp does): add it to the umbrella's static-engine list")
    if not missing:
        print("PASS: the umbrella includes the static engine's headers directly")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
