#!/usr/bin/env python3
"""Prints the public headers under include/ (one per line, relative to it), for
the header self-containment tests. detail/ headers are included too: each must
compile on its own."""
import pathlib
import sys

root = pathlib.Path(sys.argv[1])
for p in sorted(root.rglob("*.hpp")):
    print(p.relative_to(root).as_posix())
