#!/usr/bin/env python3
"""Writes docs/api.md, the API reference: every declaration of namespace
gradguard (not detail, not rules) in the headers under include/gradguard,
and the public members of its classes, each with the comment written above
it, grouped by header.

    python3 tools/gen_api.py .            # writes docs/api.md, lists the undocumented
    python3 tools/gen_api.py --check .    # fails when docs/api.md is not current

The headers are the source: a reference written apart from them drifts. A
declaration without a comment is listed as "(see the header)"; the names a
generated block declares (tools/gen_primitives.py) are one entry."""
import pathlib
import re
import sys

KINDS = [
    (re.compile(r"^enum class (\w+)"), "enum"),
    (re.compile(r"^(?:struct|class) (\w+)\b(?!<)"), "type"),
    (re.compile(r"^concept (\w+)"), "concept"),
    (re.compile(r"^using (\w+) ="), "alias"),
    (re.compile(r"^(?:static )?(?:inline )?constexpr [\w:<>, ]+? (\w+)(?:\s*=|\s*\{|;)"), "constant"),
    (re.compile(r"(?:^|[\s*&>~])(operator\S+?|~?\w+)\("), "function"),
]
KEYWORDS = {"requires", "return", "if", "for", "while", "switch", "sizeof", "decltype", "static_assert", "noexcept"}
NOISE = re.compile(r"^(clang-format (off|on)|NOLINT.*|IWYU pragma.*|<generated:.*>|</generated>)$")


def kind_of(head):
    sig = re.sub(r"^template <.*?>\s*(?=[a-z~])", "", head)
    sig = re.sub(r"^requires .*?\)\s*(?=[a-z])", "", sig)
    sig = re.sub(r"^(\[\[[^\]]*\]\]\s*)+", "", sig)
    sig = re.sub(r"^(explicit|friend|virtual|static|inline|constexpr|GRADGUARD_\w+)\s+", "", sig)
    for pattern, kind in KINDS:
        m = pattern.search(sig)
        if m and m.group(1) not in KEYWORDS:
            return m.group(1), kind
    return None, None


def read_declaration(lines, i, indent):
    """The declaration starting at line i, up to the line that opens a body or ends it."""
    start = i
    while i < len(lines) and not re.search(r"[{};]\s*(//.*)?$", lines[i]) and not lines[i].endswith(":"):
        i += 1
    decl = " ".join(l.strip() for l in lines[start:i + 1])
    return decl, i


def skip_body(lines, i, decl):
    """Index after the body that decl (ending at line i) opens, if any."""
    depth = decl.count("{") - decl.count("}")
    while depth > 0 and i + 1 < len(lines):
        i += 1
        depth += lines[i].count("{") - lines[i].count("}")
    return i + 1


def members(lines, i, default_public):
    """Public members of the class whose body starts after line i: (name, kind, comment)."""
    out = []
    public = default_public
    comment = []
    depth = 1
    i += 1
    while i < len(lines) and depth > 0:
        line = lines[i]
        if line.startswith("};") or line == "}":
            break
        if re.match(r"^ (public|private|protected):", line):
            public = line.strip() == "public:"
            comment = []
            i += 1
            continue
        if line.startswith("  //"):
            comment.append(line.strip()[2:].strip())
            i += 1
            continue
        if line.startswith("  ") and not line.startswith("   ") and line.strip():
            decl, end = read_declaration(lines, i, 2)
            name, kind = kind_of(decl.split("{")[0].strip())
            if public and name and kind == "function" and not decl.startswith("friend"):
                out.append((name, comment))
            comment = []
            i = skip_body(lines, end, decl)
            continue
        comment = [] if not line.strip() else comment
        i += 1
    return out, i


def declarations(text):
    """Entries (names, kind, comment, members) of the public top-level declarations."""
    out = []
    lines = text.split("\n")
    scope = []
    comment = []
    generated = None  # the entry collecting a generated block's names
    i = 0
    while i < len(lines):
        line = lines[i]
        if re.match(r"^namespace [\w:]+ \{", line):
            scope.append(line.split()[1])
            comment, i = [], i + 1
            continue
        if re.match(r"^\}\s*// namespace", line):
            scope.pop()
            comment, i = [], i + 1
            continue
        if line.startswith("//"):
            text_ = line[2:].strip()
            if text_.startswith("<generated:"):
                generated = ([], "functions", [c for c in comment if not NOISE.match(c)], [])
                out.append(generated)
            elif text_ == "</generated>":
                generated = None
            comment.append(text_)
            i += 1
            continue
        if line and not line.startswith(("#", "}", " ")):
            decl, end = read_declaration(lines, i, 0)
            head = decl.split("{")[0].strip()
            public = scope == ["gradguard"]
            name, kind = kind_of(head)
            mems = []
            if kind == "type" and "{" in decl:
                mems, end = members(lines, end, decl.lstrip().startswith(("struct", "template")) and " struct " in " " + head or head.startswith("struct"))
                end -= 1
            elif "{" in decl:
                end = skip_body(lines, end, decl) - 1
            forward_declaration = kind == "type" and "{" not in decl
            if public and name and not forward_declaration:
                if generated is not None:
                    if name not in generated[0]:
                        generated[0].append(name)
                else:
                    out.append(([name], kind, [c for c in comment if not NOISE.match(c)], mems))
            comment = []
            i = end + 1
            continue
        if not line.strip():
            comment = [] if generated is None else comment
        i += 1
    return out


def render(root):
    base = root / "include"
    parts = [
        "# API reference\n",
        "Generated by `tools/gen_api.py` from the comments above each declaration in",
        "the headers; the test `api.md is current` fails when it is not. Every name",
        "is in namespace `gradguard` (`namespace gg = gradguard;`); `detail` and",
        "`rules` are not public. The guides show the names at work:",
        "[README](../README.md), [tape.md](tape.md), [forward.md](forward.md),",
        "[eigen.md](eigen.md), [check.md](check.md),",
        "[missing-gradients.md](missing-gradients.md).\n",
    ]
    undocumented = []
    for path in sorted(base.rglob("*.hpp")):
        rel = path.relative_to(base).as_posix()
        entries = {}
        for names, kind, comment, mems in declarations(path.read_text()):
            key = tuple(names)
            if key in entries:  # an overload or a forward declaration: listed once
                old = entries[key]
                entries[key] = (kind if old[1] == [] else old[0], old[1] or comment,
                                old[2] + [m for m in mems if m[0] not in [n for n, _ in old[2]]])
                continue
            entries[key] = (kind, comment, mems)
        if not entries:
            continue
        parts.append(f"## `<{rel}>`\n")
        for names, (kind, comment, mems) in entries.items():
            label = ", ".join(f"`{n}`" for n in names)
            text = " ".join(comment) if comment else "(see the header)"
            if not comment:
                undocumented.append(f"{rel}: {', '.join(names)}")
            parts.append(f"* **{label}** ({kind}): {text}")
            seen = set()
            for m, c in mems:
                if m in seen or m.startswith("~") or m == names[0]:
                    continue
                seen.add(m)
                parts.append(f"  * `{m}`: {' '.join(x for x in c if not NOISE.match(x)) or '(see the header)'}")
        parts.append("")
    return "\n".join(parts), undocumented


def main(argv):
    check = "--check" in argv
    root = pathlib.Path([a for a in argv[1:] if not a.startswith("--")][0])
    text, undocumented = render(root)
    target = root / "docs" / "api.md"
    if check:
        current = target.read_text() if target.exists() else ""
        if current != text:
            print("docs/api.md is not current: run python3 tools/gen_api.py .")
            return 1
        return 0
    target.write_text(text)
    for u in undocumented:
        print("undocumented:", u)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
