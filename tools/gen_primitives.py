#!/usr/bin/env python3
"""Writes each front end's functions from the one list of primitives.

    gen_primitives.py [--check] [SOURCE_ROOT]

include/gradguard/rules/primitives.hpp lists the primitive functions
(`X(name, rule)` in GRADGUARD_UNARY_PRIMITIVES, GRADGUARD_CUT_PRIMITIVES and
GRADGUARD_BINARY_PRIMITIVES). Each front end holds its wrappers between

    // <generated: KIND from rules/primitives.hpp by tools/gen_primitives.py>
    ...
    // </generated>

and this tool rewrites what is between those lines from the list and the
front end's template for KIND (TEMPLATES below). With --check it changes
nothing and fails if a section is not what it would write (the meson test
`primitives are current`).

The wrappers are plain code, not macro expansions: a compiler's note about a
candidate then points at its one line, where an X-macro expansion adds two
"in expansion of macro" notes (six lines with g++) to every candidate.
test/unit/rules/primitives_test.cpp expands the list itself and checks that
every front end offers every primitive.
"""
import pathlib
import re
import sys

SOURCE_ROOT = pathlib.Path(__file__).resolve().parents[1]
LIST = pathlib.Path("include/gradguard/rules/primitives.hpp")
FRONT_ENDS = [
    pathlib.Path("include/gradguard/expr/operators.hpp"),
    pathlib.Path("include/gradguard/forward/operators.hpp"),
    pathlib.Path("include/gradguard/tape/cuts.hpp"),
    pathlib.Path("include/gradguard/eigen/elementwise.hpp"),
]

_WHERE = "const std::source_location& where = std::source_location::current()"

# KIND: (list, template); {name} and {rule} are the list's entry.
TEMPLATES = {
    "static unary": ("UNARY", "template <operand X> constexpr auto {name}(const X& x) "
                              "{{ return detail::apply_function<rules::{rule}>(x); }}"),
    "static cut": ("CUT", "template <operand X> constexpr auto {name}(const X& x) "
                          "{{ return detail::apply_function<rules::{rule}>(x); }}"),
    "static binary": ("BINARY", "template <class L, class R> requires function_operands<L, R>\n"
                                "constexpr auto {name}(const L& a, const R& b) "
                                "{{ return detail::apply_function<rules::{rule}>(a, b); }}"),
    "dual unary": ("UNARY", "template <dual_like X> constexpr auto {name}(X&& x) "
                            "{{ return detail::apply_rule<rules::{rule}>(std::forward<X>(x)); }}"),
    "dual cut": ("CUT", "template <dual_like X> constexpr auto {name}(X&& x) "
                        "{{ return detail::apply_rule<rules::{rule}>(std::forward<X>(x)); }}"),
    "dual binary": ("BINARY", "template <class L, class R> requires dual_operands<L, R>\n"
                              "constexpr auto {name}(L&& a, R&& b) "
                              "{{ return detail::apply_rule<rules::{rule}>(std::forward<L>(a), "
                              "std::forward<R>(b)); }}"),
    "real cut": ("CUT", "template <class T>\n"
                        "basic_real<T> {name}(const basic_real<T>& x, " + _WHERE + ") {{\n"
                        "  return detail::record_cut_rule<rules::{rule}>(x, where);\n"
                        "}}"),
    "matrix unary": ("UNARY", "template <class T, int C>\n"
                              "basic_real_matrix<T, C> {name}(const basic_real_matrix<T, C>& a, "
                              + _WHERE + ") {{\n"
                              "  return detail::elementwise<rules::{rule}>(\"{name}\", a, where);\n"
                              "}}"),
    "matrix cut": ("CUT", "template <class T, int C>\n"
                          "basic_real_matrix<T, C> {name}(const basic_real_matrix<T, C>& a, "
                          + _WHERE.replace(" where", "") + ") {{\n"
                          "  static_assert(detail::always_false<T>, \"gradguard: gg::{name} of a "
                          "gg::real_matrix: a cut is not a matrix operation; read the value with "
                          "gg::value(A) and use it as a constant matrix\");\n"
                          "  return a;\n"
                          "}}"),
    "matrix binary": ("BINARY", "template <class A, class B> requires detail::elementwise_operands<A, B>\n"
                                "auto {name}(const A& a, const B& b, " + _WHERE + ") {{\n"
                                "  return detail::elementwise<rules::{rule}>(\"{name}\", a, b, where);\n"
                                "}}"),
}

_OPEN = re.compile(r"^// <generated: (?P<kind>[a-z ]+) from rules/primitives\.hpp "
                   r"by tools/gen_primitives\.py>$")
_CLOSE = "// </generated>"


def read_lists(root):
    """{'UNARY': [(name, rule), ...], 'CUT': [...], 'BINARY': [...]}"""
    lists, current = {}, None
    for line in (root / LIST).read_text(encoding="utf-8").splitlines():
        m = re.match(r"#define GRADGUARD_(\w+)_PRIMITIVES\(X\)", line)
        if m:
            current = lists.setdefault(m.group(1), [])
            continue
        m = re.match(r"\s*X\((\w+),\s*([\w<>]+)\)\s*\\?$", line)
        if m and current is not None:
            current.append((m.group(1), m.group(2)))
        elif not line.rstrip().endswith("\\"):
            current = None
    if sorted(lists) != ["BINARY", "CUT", "UNARY"] or not all(lists.values()):
        sys.exit(f"error: {LIST}: expected the three non-empty lists UNARY, CUT and BINARY, "
                 f"found {sorted(lists)}")
    return lists


def regenerate(text, lists, path):
    """`text` with every generated section rewritten."""
    out, kind, sections = [], None, 0
    for line in text.splitlines():
        if kind is not None:
            if line == _CLOSE:
                which, template = TEMPLATES[kind]
                out += [template.format(name=n, rule=r) for n, r in lists[which]]
                out.append(line)
                kind = None
            continue
        out.append(line)
        m = _OPEN.match(line)
        if m:
            kind = m.group("kind")
            if kind not in TEMPLATES:
                sys.exit(f"error: {path}: unknown section {kind!r} (known: {sorted(TEMPLATES)})")
            sections += 1
    if kind is not None:
        sys.exit(f"error: {path}: section {kind!r} has no closing {_CLOSE!r}")
    if sections == 0:
        sys.exit(f"error: {path}: no generated section")
    return "\n".join(out) + "\n"


def main(argv):
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    root = pathlib.Path(args[0]) if args else SOURCE_ROOT
    lists = read_lists(root)
    stale = []
    for rel in FRONT_ENDS:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        new = regenerate(text, lists, rel)
        if new != text:
            stale.append(str(rel))
            if not check:
                path.write_text(new, encoding="utf-8")
    counts = ", ".join(f"{len(v)} {k.lower()}" for k, v in sorted(lists.items()))
    if check:
        if stale:
            print(f"FAIL: not what rules/primitives.hpp gives: {', '.join(stale)}; run\n"
                  f"  python3 tools/gen_primitives.py")
            return 1
        print(f"PASS: {len(FRONT_ENDS)} front ends match the list ({counts})")
        return 0
    print(f"rewrote {len(stale)} of {len(FRONT_ENDS)} front ends ({counts})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
