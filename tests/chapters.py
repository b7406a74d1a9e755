"""Reading the chapters as test_chapters.py checks them.

The convention (README.md, "Chapters that stay true", says it for readers):

- Every fenced block starts with the kind of thing it holds: ```output,
  ```command, ```code, ```example, ```diagram, ```bench or ```text (GitHub
  highlights by the first word only, so attributes may follow it).
- An `output` block shows what the commands of the last `command` block
  before it, under the same heading, print when run from the top of the
  repository; several output blocks after one command block are parts of
  one run, in order. Attributes: qemu=7.2 (that QEMU only), patch=NAME
  (run in a copy of the stage with tests/demos/STAGE/NAME.patch applied),
  timeout=N (a guest that never ends: stopped once the lines are there).
- In an output block, in a `diagram` and in prose: ⟨...⟩ differs from run
  to run (a time, a count that depends on timing); ⟦...⟧ follows the
  machine: the guest kernel you build and your QEMU, exact on the machine
  the chapters quote (README.md names it). A line `...` leaves lines out
  (`... (a note)` says which), ` ...` at the end of a line the rest of it. «...» is what is typed:
  ⏎ is Enter, Ctrl-X a control key; the guest echoes what is typed, but
  not control keys, nor the key after Ctrl-] (the sandbox's command).
- A figure in the prose that a run produces is followed by a comment that
  says which run prints it and where: 3862<!-- `make -C step07-vmexit run`
  prints "MMIO {}" --> (patch=NAME and qemu=X may come first, as for an
  output block). A `diagram` names its run: from="COMMAND". A diff size is
  said as "`make diff STEP=S` shows N
  changed lines in M files", which the test recomputes.

This module only reads markdown and builds regular expressions; running
the commands is test_chapters.py's.
"""

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

KINDS = {
    "output": "what a command prints: checked against a run",
    "command": "commands to type at the top of the repository",
    "code": "an excerpt of the stage's files: checked against them",
    "example": "code or text the reader writes or imagines, not in the stage",
    "diagram": "a drawing; the figures in it that a run produces are marked",
    "bench": "make bench's output: dated, with its QEMU; checked for form only",
    "text": "anything else quoted: a regular expression, a configuration line",
}

FENCE = re.compile(r"^( *)(`{3,})(.*)$")
HEADING = re.compile(r"^#{1,6} ")
# A figure in prose, and the comment that says which run prints it.
PRINTS = re.compile(r"<!--\s*((?:[\w-]+=[\w.-]+\s+)*)`([^`]+)`\s+prints\s+\"(.*?)\"\s*-->")
DIFF_SIZE = re.compile(r"`make diff STEP=([\w/.-]+)`\s+shows\s+([\d,]+)\s+changed\s+lines"
                       r"(?:\s+\(([\d,]+)\s+added,\s+([\d,]+)\s+removed[^)]*\))?\s+in\s+(\d+)"
                       r"\s+files")


@dataclass
class Block:
    chapter: str      # path from the top of the repository
    line: int         # of the opening fence, counting from 1
    kind: str         # the info string's first word ('' if none)
    attrs: dict
    text: str         # the lines inside, without the fence's indentation
    heading: str      # the heading it is under
    command: "Block" = None  # for an output block: the command block above it
    parts: list = None        # several output blocks of one command: its blocks

    @property
    def name(self):
        return f"{self.chapter}:{self.line}"


def runs(blocks):
    """The output blocks as runs: the blocks that follow one command block
    are parts of one run (their lines in order, anything between them)."""
    groups = {}
    for block in blocks:
        groups.setdefault(id(block.command), []).append(block)
    merged = []
    for group in groups.values():
        if len(group) == 1:
            merged.append(group[0])
            continue
        attrs = {}
        for block in group:
            attrs.update(block.attrs)
        first = group[0]
        merged.append(Block(first.chapter, first.line, "output", attrs,
                            "\n...\n".join(b.text for b in group), first.heading, first.command,
                            group))
    return merged


@dataclass
class Figure:
    chapter: str
    line: int
    value: str        # as written, marks included: "3862", "⟦0x805fb0a0⟧"
    command: str
    pattern: str
    attrs: dict = field(default_factory=dict)  # patch=NAME, qemu=X, as an output block's

    @property
    def name(self):
        return f"{self.chapter}:{self.line}"


@dataclass
class Chapter:
    path: str
    blocks: list = field(default_factory=list)
    prose: list = field(default_factory=list)  # (line number, text) outside blocks
    figures: list = field(default_factory=list)


def parse(repo, path):
    """The blocks, prose and figures of one markdown file."""
    chapter = Chapter(path)
    lines = (Path(repo) / path).read_text().splitlines()
    heading, i = "", 0
    commands = {}  # heading -> the last command block under it
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if not fence:
            if HEADING.match(lines[i]):
                heading = lines[i]
            chapter.prose.append((i + 1, lines[i]))
            i += 1
            continue
        indent, ticks, info = len(fence.group(1)), fence.group(2), fence.group(3).strip()
        words = shlex.split(info) if info else []
        kind = words[0] if words else ""
        attrs = dict(w.split("=", 1) if "=" in w else (w, "") for w in words[1:])
        body, j = [], i + 1
        while j < len(lines) and not re.match(rf"^ *{ticks}`*\s*$", lines[j]):
            body.append(lines[j][indent:] if lines[j][:indent].strip() == "" else lines[j])
            j += 1
        block = Block(path, i + 1, kind, attrs, "\n".join(body), heading)
        if kind == "command":
            commands[heading] = block
        elif kind == "output":
            block.command = commands.get(heading)
        chapter.blocks.append(block)
        i = j + 1
    # A comment quoted in inline code (as README.md shows one) is not one.
    prose_text = "\n".join(without_quoted_comments(text) for _, text in chapter.prose)
    numbers = [n for n, _ in chapter.prose]
    for match in PRINTS.finditer(prose_text):
        line = numbers[prose_text.count("\n", 0, match.start())]
        value = figure_before(prose_text[:match.start()])
        attrs = dict(word.split("=", 1) for word in match.group(1).split())
        chapter.figures.append(Figure(path, line, value, match.group(2), match.group(3), attrs))
    return chapter


def without_quoted_comments(line):
    """The line with its inline code spans that hold a comment blanked."""
    out, i = "", 0
    while i < len(line):
        run = re.match(r"`+", line[i:])
        if not run:
            out, i = out + line[i], i + 1
            continue
        ticks = run.group(0)
        end = line.find(ticks, i + len(ticks))
        if end < 0:
            out, i = out + ticks, i + len(ticks)
            continue
        span = line[i:end + len(ticks)]
        out += " " * len(span) if "<!--" in span else span
        i = end + len(ticks)
    return out


def figure_before(text):
    """The figure a comment follows: a mark, an inline code span or a word."""
    for pattern in (r"(⟦[^⟧]*⟧|⟨[^⟩]*⟩)$", r"`([^`]+)`$", r"([\w.,:+-]+)$"):
        match = re.search(pattern, text)
        if match:
            return match.group(1)
    return ""


# ---------------------------------------------------------------- marks

MARK = re.compile(r"⟨([^⟩]*)⟩|⟦([^⟧]*)⟧")
# Lines left out: `...` alone, or with a note of what: `... (glibc 2.40: riscv_hwprobe)`.
CUT = re.compile(r"^\s*\.\.\.(\s+\(.*\))?\s*$")
KEYS = re.compile(r"«([^»]*)»")
CONTROL = re.compile(r"Ctrl-(.) ?")


def form(example):
    """A regular expression for text of the same form as `example`: hex for
    hex, digits for digits, a word for a word; anything else as it is."""
    parts = []
    for token in re.findall(r"0x[0-9a-fA-F]+|\d+|[A-Za-z_]+| +|.", example):
        if token.startswith("0x"):
            parts.append(r"0x[0-9a-f]+")
        elif token.isdigit():
            parts.append(r"\d+")
        elif re.fullmatch(r"[A-Za-z_]+", token):  # a name: brk, riscv_hwprobe
            parts.append(r"[A-Za-z_]+")
        elif token.isspace():
            parts.append(r" +" if parts else r" *")  # leading spaces: padding
        else:
            parts.append(re.escape(token))
    return "".join(parts)


CAPTURE = "capture"  # as exact_machine: each ⟦x⟧ by its form, in a group (to update it)


def value_regex(literal, exact_machine):
    """One mark's text as a regular expression: ⟨x⟩ by its form, ⟦x⟧ exactly
    on the machine the chapters quote (exact_machine) and by its form on
    another, anything else exactly. The only groups any regular expression
    here has are CAPTURE's."""
    if literal.startswith("⟨"):
        return form(literal[1:-1])
    if literal.startswith("⟦"):
        if exact_machine == CAPTURE:
            return "(" + form(literal[1:-1]) + ")"
        return re.escape(literal[1:-1]) if exact_machine else form(literal[1:-1])
    return re.escape(literal)


def line_regex(line, exact_machine):
    """An expected line as a regular expression (no line end)."""
    line = line.rstrip()
    rest_cut = line.endswith(" ...")
    if rest_cut:
        line = line[:-4]
    varies = MARK.search(line) is not None

    def literal(text):
        # Columns: where a part varies, runs of spaces are padding, which
        # shrinks as the part beside it grows.
        if not varies:
            return re.escape(text)
        return " +".join(re.escape(piece) for piece in re.split(r" {2,}", text))
    parts, last = [], 0
    for match in MARK.finditer(line):
        parts.append(literal(line[last:match.start()]))
        parts.append(value_regex(match.group(0), exact_machine))
        last = match.end()
    parts.append(literal(line[last:]))
    return "".join(parts) + (r"[^\n]*" if rest_cut else r"[ \t]*")


def typed(keys):
    """What «keys» sends, and what of it the guest echoes."""
    tokens = re.findall(r"Ctrl-. ?|⏎|.", keys)
    send, echo, command_key = "", "", False
    for token in tokens:
        if token.startswith("Ctrl-"):
            char = chr(ord(token[5].upper()) & 0x1f)
        else:
            char = "\n" if token == "⏎" else token
        send += char
        if not token.startswith("Ctrl-") and not command_key:
            echo += char
        # The key after Ctrl-] is the sandbox's command: not the guest's.
        command_key = token.startswith("Ctrl-]") and not command_key
    return send, echo


@dataclass
class Step:
    """Part of a session: wait for `pattern` (everything expected so far),
    then type `send` (None: the end)."""
    pattern: str
    send: str = None


def session(text, exact_machine):
    """An output block as the steps of a run: before each key typed, the
    regular expression the output so far must match; then the whole."""
    expected, sends = "", []
    for line in text.split("\n"):
        keys = list(KEYS.finditer(line))
        echoes = [typed(k.group(1))[1] for k in keys]
        if keys and not KEYS.sub("", line).strip() and not any(echoes):
            # Keys that print nothing, alone on their line: typed there.
            sends.extend((len(expected), typed(k.group(1))[0]) for k in keys)
            continue
        last, flat = 0, ""
        for k, echo in zip(keys, echoes):
            flat += line[last:k.start()]
            sends.append((len(expected) + len(flat), typed(k.group(1))[0]))
            flat += echo
            last = k.end()
        flat += line[last:]
        # An Enter typed at the end of a line is that line's end.
        expected += flat if keys and flat.endswith("\n") and not line[last:] else flat + "\n"
    steps = []
    for offset, send in sends:
        done = expected[:offset].split("\n")
        steps.append(Step(lines_regex(done[:-1], exact_machine, partial=done[-1]), send))
    steps.append(Step(lines_regex(expected[:-1].split("\n"), exact_machine)))
    return steps


def lines_regex(lines, exact_machine, partial=""):
    """Expected lines as one regular expression over the whole output: they
    come one after the other, from the start of a line; a `...` line stands
    for any number of lines. `partial`: the start of the next line, so far
    (a prompt, before the keys typed at it)."""
    regex = r"(?:^|\n)"
    for number, line in enumerate(lines):
        last = number == len(lines) - 1 and not partial
        if CUT.match(line):
            regex += r"(?:[^\n]*\n)*?"
        else:
            # The last line may end the output, or not have ended yet.
            regex += line_regex(line, exact_machine) + (r"(?:\n|$)" if last else r"\n")
    if partial:
        regex += line_regex(partial, exact_machine)
    return regex


def keys_in(text):
    return bool(KEYS.search(text))


def pattern_regex(pattern, figure, exact_machine):
    """A prose comment's pattern, with its figure in place of {}."""
    if "{}" not in pattern:
        raise ValueError(f"no {{}} in the pattern {pattern!r}")
    before, after = pattern.split("{}", 1)
    if re.fullmatch(r"[\d,]+", figure):
        value = re.escape(figure.replace(",", ""))  # 1,189 is printed 1189
    else:
        def literal(text):  # spaces in a quoted line may be a column's padding
            return r" +".join(re.escape(part) for part in re.split(r" +", text))
        value, last = "", 0
        for mark in MARK.finditer(figure):
            value += literal(figure[last:mark.start()]) + value_regex(mark.group(0),
                                                                       exact_machine)
            last = mark.end()
        value += literal(figure[last:])

    def literal(text):
        return r"\s+".join(r"[^\n]*?".join(map(re.escape, word.split("...")))
                           for word in re.split(r"\s+", text)) if text.strip() else (
            r"\s*" if text else "")
    # A figure is whole: 10 is not the start of 100.
    start = r"(?<![0-9A-Za-z_])" if re.match(r"\w", strip_marks(figure)) else ""
    end = r"(?![0-9A-Za-z_])" if re.search(r"\w$", strip_marks(figure)) else ""
    return literal(before) + start + value + end + literal(after)


def strip_marks(text):
    """The text a reader sees with the marks taken away (their contents stay)."""
    return MARK.sub(lambda m: m.group(1) if m.group(1) is not None else m.group(2), text)
