#!/usr/bin/env python3
"""Count the lines of code of a stage: C++ and assembly, per file and in total.

    scripts/loc.py              count final/src (what `make loc` runs)
    scripts/loc.py DIR          count DIR/src, or DIR itself if it has no src/

A line counts when something other than white space is left on it once the
comments are taken out. Blank lines, lines that are all comment, and the
lines inside a /* ... */ block do not count; `x = 1;  // why` does. Comments
are found the way the compiler finds them: `//` and `/*` inside a string or
a character literal are not comments, and the quote in a C++14 digit
separator (10'000'000) does not start a character literal. The .S files go
through the C preprocessor, so they use the same two comment forms.
"""

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
AIM = 1000  # final/src should stay small enough to read in one sitting
KINDS = {".cpp": "C++", ".hpp": "C++", ".h": "C++", ".cc": "C++", ".S": "assembly"}


def code_lines(text):
    """How many lines of `text` hold code once comments are removed."""
    count = 0
    in_block = False  # inside /* ... */, which may span lines
    for line in text.splitlines():
        has_code = False
        i, n = 0, len(line)
        while i < n:
            if in_block:
                end = line.find("*/", i)
                if end < 0:
                    break
                in_block, i = False, end + 2
                continue
            c = line[i]
            if line.startswith("//", i):
                break
            if line.startswith("/*", i):
                in_block, i = True, i + 2
                continue
            if c.isspace():
                i += 1
                continue
            has_code = True
            if c == '"' or (c == "'" and not in_number(line, i)):
                i = skip_literal(line, i)
            else:
                i += 1
        if has_code:
            count += 1
    return count


def in_number(line, i):
    """Is the quote at line[i] a digit separator (1'000), not a char literal?"""
    start = i
    while start > 0 and (line[start - 1].isalnum() or line[start - 1] in "_.'"):
        start -= 1
    return start < i and line[start].isdigit()


def skip_literal(line, i):
    """The index just past the string or character literal starting at i."""
    quote, i = line[i], i + 1
    while i < len(line):
        if line[i] == "\\":
            i += 2
        elif line[i] == quote:
            return i + 1
        else:
            i += 1
    return i  # unterminated (or continued with a backslash): stop at the line end


def count(directory):
    """[(file name, kind, lines)] for the C++ and assembly files in directory."""
    rows = []
    for path in sorted(directory.iterdir()):
        kind = KINDS.get(path.suffix)
        if kind and path.is_file():
            rows.append((path.name, kind, code_lines(path.read_text(encoding="utf-8"))))
    return rows


def totals(rows):
    """{'C++': n, 'assembly': m, 'total': n + m}."""
    result = {kind: 0 for kind in sorted(set(KINDS.values()))}
    for _, kind, lines in rows:
        result[kind] += lines
    result["total"] = sum(lines for _, _, lines in rows)
    return result


def source_dir(argument=None):
    stage = Path(argument) if argument else REPO / "final"
    return stage / "src" if (stage / "src").is_dir() else stage


def main(argv):
    if len(argv) > 2 or (len(argv) == 2 and argv[1].startswith("-")):
        print("usage: scripts/loc.py [STAGE-DIRECTORY]   (default: final)", file=sys.stderr)
        return 2
    directory = source_dir(argv[1] if len(argv) == 2 else None)
    if not directory.is_dir():
        print(f"loc: no directory {directory}", file=sys.stderr)
        return 2
    rows = count(directory)
    if not rows:
        print(f"loc: no C++ or assembly files in {directory}", file=sys.stderr)
        return 2
    directory = directory.resolve()
    shown = directory.relative_to(REPO) if directory.is_relative_to(REPO) else directory
    print(f"Lines of code in {shown}/ (blank lines and comments not counted):")
    for name, kind, lines in sorted(rows, key=lambda row: (-row[2], row[0])):
        print(f"  {name:20} {kind:9} {lines:5}")
    sums = totals(rows)
    print(f"  {'':20} {'C++':9} {sums['C++']:5}")
    print(f"  {'':20} {'assembly':9} {sums['assembly']:5}")
    print(f"  {'total':20} {'':9} {sums['total']:5}  in {len(rows)} files")
    verdict = "within" if sums["total"] <= AIM else "over"
    print(f"{sums['total']} lines: {verdict} the aim of {AIM:,} lines"
          + ("" if verdict == "within" else f" (by {sums['total'] - AIM})") + ".")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
