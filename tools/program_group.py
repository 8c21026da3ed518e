"""Many small programs of the documentation compiled as one executable.

The pages' programs (tools/check_doc_blocks.py's blocks, the run markers of
tools/gen_missing_gradients.py) are short and include the same heavy headers:
compiled one by one, each parsed the umbrella (and Eigen) and generated the
same instantiations again, ~3-25 s a program. Compiled together they share
that work (the 45 statement blocks of the pages: 98 s in 6 programs, 54 s as
one, g++ -O0).

    text = group_text(programs)     # one translation unit
    ./exe K                         # runs program K, in a process of its own

Program K is `namespace gg_program_K { <its code> }`, with its #include lines
moved to the top (the umbrella first, so that the build's precompiled header
serves the group: compile_fail.with_pch) and `#line` directives that keep the
compiler's positions, and std::source_location, in the page's own lines. Its
`int main()` is called by the group's main, which gets K from argv[1]; a
`return 0;` is added before main's closing brace, since only the global main
may end without one. A program therefore sees no other program's state, as
when it is compiled alone; it does see the headers the others include (a
missing #include goes unnoticed here, as in any group). A statement block
also gets `namespace gg = gradguard;` and <cassert>.

A program that cannot live in a namespace is not groupable (`why_not`): a
#define (it would leak into the programs after it), a main with parameters, a
specialisation (`template <>`) or anything reopening namespace std,
gradguard or Eigen. When the group does not compile, the callers compile each
program alone, so that a failure names its own program; one that passes
alone but not in the group is a failure of its own (a name shared between
programs?).
"""
import re

_MAIN = re.compile(r"\bint\s+main\s*\(\s*(void)?\s*\)")
_ANY_MAIN = re.compile(r"\bint\s+main\s*\(")
_INCLUDE = re.compile(r"^\s*#\s*include\b")
_NOT_IN_A_NAMESPACE = [
    (re.compile(r"^\s*#\s*define\b"), "a #define"),
    (re.compile(r"\btemplate\s*<\s*>"), "an explicit specialisation"),
    (re.compile(r"\bnamespace\s+(std|gradguard|gg|Eigen)\s*\{"), "a reopened namespace"),
]


class Program:
    """One program: `path` and `line` (its first line in that file) name it
    for #line; `code` is a whole program (with int main()) or, with
    `statements`, the body of one."""

    def __init__(self, path, line, code, statements=False):
        self.path, self.line, self.code, self.statements = path, line, list(code), statements


def why_not(program):
    """None when `program` can join a group, else what keeps it out."""
    text = "\n".join(program.code)
    for pattern, what in _NOT_IN_A_NAMESPACE:
        if any(pattern.search(l) for l in program.code):
            return what
    if program.statements:
        return "an int main" if _ANY_MAIN.search(text) else None
    if len(_ANY_MAIN.findall(text)) != 1:
        return "no int main, or several"
    if not _MAIN.search(text):
        return "a main with parameters"
    if _main_end(program.code) is None:
        return "an int main whose end was not found"
    return None


def _main_end(code):
    """(line, column) of the brace that closes `int main() {`, skipping string
    and character literals and comments, or None."""
    depth, started, in_block_comment = 0, False, False
    found = False
    for n, line in enumerate(code):
        col = 0
        if not found:
            m = _MAIN.search(line)
            if not m:
                continue
            found, col = True, m.end()
        while col < len(line):
            c = line[col]
            if in_block_comment:
                if line.startswith("*/", col):
                    in_block_comment, col = False, col + 1
            elif line.startswith("//", col):
                break
            elif line.startswith("/*", col):
                in_block_comment, col = True, col + 1
            elif c in "\"'":
                end = col + 1
                while end < len(line) and line[end] != c:
                    end += 2 if line[end] == "\\" else 1
                col = end
            elif c == "{":
                depth, started = depth + 1, True
            elif c == "}":
                depth -= 1
                if started and depth == 0:
                    return n, col
            col += 1
    return None


def _body(program):
    """The program's lines, #include lines blank, main ending in `return 0;`."""
    code = ["" if _INCLUDE.match(l) else l for l in program.code]
    if program.statements:
        return ["int main() {"] + code + ["return 0;", "}"]
    n, col = _main_end(code)
    code[n] = code[n][:col] + "return 0; " + code[n][col:]
    return code


def group_text(programs):
    """The translation unit of `programs` (all groupable): see the module."""
    wrapper = '#line 1 "<program group>"'
    out = [wrapper, "#include <gradguard/gradguard.hpp>"]
    for p in programs:
        quoted = p.path.replace("\\", "/")
        out += [f'#line {p.line + n} "{quoted}"\n{l}' for n, l in enumerate(p.code)
                if _INCLUDE.match(l)]
    out += [wrapper, "#include <cassert>", "#include <cstdio>", "#include <cstdlib>"]
    for k, p in enumerate(programs):
        quoted = p.path.replace("\\", "/")
        # A statement block's line is its first statement's: the wrapper's
        # own `int main() {` goes on the line before.
        first = p.line - 1 if p.statements else p.line
        out.append(f"namespace gg_program_{k} {{")
        if p.statements:
            out.append("namespace gg = gradguard;")
        out.append(f'#line {first} "{quoted}"')
        out += _body(p)
        out += [wrapper, "}"]
    out += ["int main(int argc, char** argv) {",
            "  switch (argc == 2 ? std::atoi(argv[1]) : -1) {"]
    out += [f"    case {k}: return gg_program_{k}::main();" for k in range(len(programs))]
    out += ["    default: break;", "  }",
            f'  std::fputs("usage: <program group> K, 0 <= K < {len(programs)}\\n", stderr);',
            "  return 2;", "}"]
    return "\n".join(out) + "\n"
