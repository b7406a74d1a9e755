"""The chapters stay true: what they quote is what a run prints.

Every fenced block of every chapter says what it is (tests/chapters.py
lists the kinds). Each `output` block is checked against a real run of the
command block above it (several output blocks after one command block are
parts of one run): its lines must come one after the other in what the
command prints, but for the parts the chapter marks as varying (⟨...⟩
from run to run, ⟦...⟧ with the machine) and the lines it cuts (`...`). Each figure in the prose that
a run produces names the command that prints it, and is checked against
that run; each diff size is recomputed from `make diff`. `code` blocks
must be in the stage's files, every chapter from step02 on lists the
files of its diff in reading order, and `make bench` output is checked
for its form. README.md, "Chapters that stay true", says it for readers.

Runs are shared: each distinct command runs once per session. They run
in a scratch copy of the repository made of links to it (so that `make
solution` and files a command writes land there), with the stage patched
for the blocks that show what fails without a piece (patch=NAME:
tests/demos/STAGE/NAME.patch).
"""

import fcntl
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

import chapters
from conftest import LINUX, LOGS, REPO, Qemu, STAGES
from sandbox.stage import BUILD_LOCK_HELD

BEYOND = sorted(str(m.parent.relative_to(REPO)) for m in REPO.glob("beyond/*/Makefile")
                if not m.parent.name.startswith("solution-"))
CHAPTERS = (["README.md", "GLOSSARY.md", "linux/README.md", "sandbox/README.md"]
            + [str(p.relative_to(REPO)) for s in STAGES + BEYOND
               for p in sorted((REPO / s).glob("*.md"))])
PARSED = {path: chapters.parse(REPO, path) for path in CHAPTERS if (REPO / path).exists()}
RUN_TIMEOUT = 60  # seconds a chapter's command may take, unless its block says


def stage_of(chapter):
    """The stage a chapter belongs to (for --stage), or None for the top ones."""
    directory = str(Path(chapter).parent)
    return directory if directory in STAGES + BEYOND else None


def blocks(kind=None):
    return [b for c in PARSED.values() for b in c.blocks if kind is None or b.kind == kind]


def param(item, interactive=False):
    return pytest.param(stage_of(item.chapter), item, id=item.name,
                        marks=[pytest.mark.interactive] if interactive else [])


# ---------------------------------------------------------------- the machine

def quoted_machine():
    """The kernels and QEMU the chapters quote, as README.md names them."""
    text = (REPO / "README.md").read_text()
    text = re.sub(r"\s+", " ", text)
    match = re.search(r"The chapters quote (Linux .*?) as `linux/` builds (?:it|them) with "
                      r"GCC (\S+?), on QEMU (\d+\.\d+)", text)
    assert match, "README.md should say which machine the chapters quote (see test_chapters.py)"
    return (set(re.findall(r"\d+\.\d+\.\d+", match.group(1))), match.group(2), match.group(3))


def kernel_of(command):
    """The Image a command boots, and its version and compiler."""
    image = REPO / "linux" / "build" / ("linux-6.1/Image" if "LINUX=6.1" in command else "Image")
    if not image.exists():
        return None
    banner = re.search(rb"Linux version (\S+) \(.*?gcc \(.*?\) (\S+),", image.read_bytes())
    return (banner.group(1).decode(), banner.group(2).decode()) if banner else None


def qemu_version():
    out = subprocess.run([os.environ.get("QEMU", "qemu-system-riscv64"), "--version"],
                         capture_output=True, text=True).stdout
    match = re.search(r"version (\d+\.\d+\.\d+)", out)
    return match.group(1) if match else "?"


def exact_machine(command, attrs=None):
    """Is this the machine the chapters quote (then ⟦...⟧ must match exactly)?
    A block or figure that says qemu=X quotes that QEMU."""
    versions, gcc, qemu = quoted_machine()
    qemu = (attrs or {}).get("qemu", qemu)
    kernel = kernel_of(command)
    return (kernel is not None and kernel[0] in versions and kernel[1] == gcc
            and qemu_version().startswith(qemu + "."))


def skip_unless_runnable(command, attrs=None):
    """Chapter runs boot the kernel linux/ builds, 6.12 unless the command
    says LINUX=6.1 (checked by `make test LINUX=6.1`)."""
    if os.environ.get("KERNEL"):
        pytest.skip("the chapters quote the kernel linux/ builds, not KERNEL=")
    wants_61 = "LINUX=6.1" in command
    if LINUX and not wants_61:
        pytest.skip(f"the chapters quote Linux 6.12; LINUX={LINUX} checks only what they say "
                    f"of LINUX=6.1")
    if wants_61 and LINUX != "6.1":
        pytest.skip("a Linux 6.1 run: `make test LINUX=6.1` checks it")
    qemu = (attrs or {}).get("qemu")
    if qemu and not qemu_version().startswith(qemu + "."):
        pytest.skip(f"what QEMU {qemu} prints; this is QEMU {qemu_version()}")


def test_chapters_quote_this_machine():
    """Where this machine is another, ⟦...⟧ parts are checked by their form only."""
    versions, gcc, qemu = quoted_machine()
    kernel = kernel_of("")
    if kernel is None:
        pytest.skip("no guest kernel built yet")
    if not exact_machine(""):
        pytest.skip(f"the chapters quote Linux {'/'.join(sorted(versions))} built with GCC {gcc} "
                    f"on QEMU {qemu}; this is Linux {kernel[0]} with GCC {kernel[1]} on QEMU "
                    f"{qemu_version()}: what follows the machine (⟦...⟧) was checked by its "
                    f"form only")


# ---------------------------------------------------------------- running

def scratch_repo(patch=None, chapter=None):
    """A copy of the repository made of links to it; with `patch`, the
    chapter's stage is a real copy with tests/demos/STAGE/PATCH.patch applied."""
    key = (patch, chapter if patch else None)
    if key in SCRATCH:
        return SCRATCH[key]
    root = Path(tempfile.mkdtemp(prefix="chapter-run-"))
    for entry in REPO.iterdir():
        if entry.name == "beyond":
            (root / "beyond").mkdir()
            for child in entry.iterdir():
                (root / "beyond" / child.name).symlink_to(child)
        elif not entry.name.startswith(("solution-", ".")):
            (root / entry.name).symlink_to(entry)
    if patch:
        stage = stage_of(chapter)
        patch_file = REPO / "tests" / "demos" / stage / f"{patch}.patch"
        assert patch_file.exists(), f"{chapter}: no {patch_file.relative_to(REPO)}"
        (root / stage).unlink()
        shutil.copytree(REPO / stage, root / stage, ignore=shutil.ignore_patterns("build"))
        result = subprocess.run(["patch", "-s", "-p1", "-d", root / stage, "-i", patch_file],
                                capture_output=True, text=True)
        assert result.returncode == 0, f"{patch_file} does not apply:\n{result.stdout}{result.stderr}"
    SCRATCH[key] = root
    return root


SCRATCH = {}  # (patch, chapter) -> the scratch repository
RUNS = {}  # (script, patch, chapter, timeout) -> (output, timed out, the Qemu)


@pytest.fixture(scope="module", autouse=True)
def remove_scratch_repositories():
    yield
    for root in SCRATCH.values():
        shutil.rmtree(root, ignore_errors=True)  # links are removed, not followed
    SCRATCH.clear()


# What the make that started pytest passes on would change what a make run
# from a chapter prints (`make[1]:` in its messages) and where it thinks it is.
MAKE_ENVIRONMENT = ["MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "INVOKED_FROM", "PWD"]


def shell(script):
    """The command that runs a chapter's commands as a reader's shell would,
    under the build lock we hold (BuildLock): the sandbox library in a
    chapter's command must not wait for it (sandbox/stage.py)."""
    # The C locale: the compiler quotes with ' (in UTF-8 it prints ‘ and ’).
    return (["env"] + [f"--unset={name}" for name in MAKE_ENVIRONMENT]
            + ["LC_ALL=C", f"{BUILD_LOCK_HELD}=1", "bash", "-c", script])


class BuildLock:
    """The lock conftest.make takes: chapter commands build stages too."""

    def __enter__(self):
        LOGS.mkdir(exist_ok=True)
        self.file = open(LOGS / ".make.lock", "w")
        fcntl.flock(self.file, fcntl.LOCK_EX)

    def __exit__(self, *exc):
        self.file.close()


def output_of(qemu, block_or_figure, script, attrs):
    """What the command prints, run once per session and shared."""
    patch, timeout = attrs.get("patch"), int(attrs.get("timeout", RUN_TIMEOUT))
    key = (script, patch, block_or_figure.chapter if patch else None, timeout)
    if key not in RUNS:
        cwd = scratch_repo(patch, block_or_figure.chapter)
        with BuildLock():
            machine = Qemu(shell(script), cwd=cwd, timeout=timeout)
            machine.process.stdin.close()
            machine.wait_exit()
        RUNS[key] = (machine.output, machine.timed_out, machine)
    output, timed_out, machine = RUNS[key]
    qemu.runs.append(machine)
    if timed_out and "timeout" not in attrs:
        pytest.fail(f"`{script}` did not finish within {timeout} s (a block whose guest hangs "
                    f"says timeout=N)", pytrace=False)
    return output


def explain(output, lines, exact):
    """Where the expected lines and the output part: the first line that
    does not follow, and the output around where it should be."""
    good = 0
    for count in range(1, len(lines) + 1):
        if re.search(chapters.lines_regex(lines[:count], exact), output):
            good = count
        else:
            break
    shown = ""
    if good == 0:  # the lines that start the same way, or the end of the run
        words = chapters.strip_marks(lines[0]).split()[:2]
        alike = [l for l in output.splitlines() if words and l.split()[:2] == words]
        shown = "\n".join(["the run printed:"] + (alike[:5] or output.splitlines()[-15:]))
    else:
        match = re.search(chapters.lines_regex(lines[:good], exact), output)
        after = output[match.end():].splitlines()[:8]
        shown = "\n".join(["... the chapter's lines up to here matched, then the run printed:"]
                          + after)
    missing = lines[good] if good < len(lines) else "(the end)"
    return f"first line that does not match: {missing!r}\n{shown}"


# ---------------------------------------------------------------- updating

# CHAPTERS_UPDATE=1 make test ...: where a chapter differs from a run only
# in what follows the machine (⟦...⟧), or in a diff's size, write the run's
# figures into the chapter, on the machine the chapters quote. The test
# still fails; `git diff` shows what changed, for a human to read.
UPDATE = os.environ.get("CHAPTERS_UPDATE") == "1"


def update_marks(chapter, first_line, last_line, values, occurrence=None):
    """Put `values` into the ⟦...⟧ marks of lines first_line..last_line (from
    1) of a chapter, in order; or into the marks of the first `occurrence`
    (a string) found there."""
    path = REPO / chapter
    lines = path.read_text().split("\n")
    region = "\n".join(lines[first_line - 1:last_line])
    start, end = 0, len(region)
    if occurrence is not None:
        start = region.index(occurrence)
        end = start + len(occurrence)
    values = iter(values)
    updated = region[:start] + re.sub(r"⟦[^⟧]*⟧", lambda m: f"⟦{next(values)}⟧",
                                      region[start:end]) + region[end:]
    lines[first_line - 1:last_line] = updated.split("\n")
    path.write_text("\n".join(lines))


def update_block(block, output):
    regex = chapters.session(block.text, chapters.CAPTURE)[-1].pattern
    match = re.search(regex, output)
    if not (match and match.groups()):
        return ""
    values = list(match.groups())
    for part in reversed(block.parts or [block]):  # from the end: line numbers stay right
        count = len(re.findall(r"⟦[^⟧]*⟧", part.text))
        mine, values = values[len(values) - count:], values[:len(values) - count]
        update_marks(part.chapter, part.line + 1, part.line + part.text.count("\n") + 1, mine)
    return "; CHAPTERS_UPDATE=1 wrote the run's ⟦...⟧ figures into it"


# ---------------------------------------------------------------- the kinds

@pytest.mark.parametrize("stage, chapter", [(stage_of(c), c) for c in PARSED])
def test_every_block_says_what_it_is(stage, chapter):
    for block in PARSED[chapter].blocks:
        assert block.kind in chapters.KINDS, (
            f"{block.name}: a fenced block starts with its kind, one of "
            f"{', '.join(chapters.KINDS)} (found {block.kind or 'nothing'!r})")
        if block.kind == "output":
            assert block.command is not None, (
                f"{block.name}: an output block follows the command block that prints it, "
                f"under the same heading")
            known = {"qemu", "patch", "timeout"}
            assert set(block.attrs) <= known, f"{block.name}: unknown attributes {block.attrs}"
        if block.kind == "diagram" and chapters.MARK.search(block.text):
            assert "from" in block.attrs, (f"{block.name}: a diagram with figures a run produces "
                                           f"says which command prints them (from=\"...\")")


@pytest.mark.parametrize("stage, chapter", [(stage_of(c), c) for c in PARSED])
def test_marks_are_closed(stage, chapter):
    """A mark opens and closes on the same line, or it would hide a line."""
    texts = [(n, t) for n, t in PARSED[chapter].prose]
    texts += [(b.line, line) for b in PARSED[chapter].blocks for line in b.text.split("\n")]
    for number, text in texts:
        for opening, closing in (("⟨", "⟩"), ("⟦", "⟧"), ("«", "»")):
            assert text.count(opening) == text.count(closing), \
                f"{chapter}:{number}: {opening} and {closing} do not pair: {text}"


# ---------------------------------------------------------------- outputs

OUTPUTS = chapters.runs([b for b in blocks("output") if b.command is not None])


@pytest.mark.parametrize("stage, block", [param(b, chapters.keys_in(b.text)) for b in OUTPUTS])
def test_output_matches_a_run(qemu, stage, block):
    script = block.command.text
    skip_unless_runnable(script, block.attrs)
    exact = exact_machine(script, block.attrs)
    steps = chapters.session(block.text, exact)
    if len(steps) == 1 and "timeout" not in block.attrs:  # nothing typed: the whole run, shared
        output = output_of(qemu, block, script, block.attrs)
        if not re.search(steps[0].pattern, output):
            updated = update_block(block, output) if UPDATE and exact else ""
            pytest.fail(f"{block.name}: `{script}` prints something else{updated}.\n"
                        + explain(output, expected_lines(block.text), exact), pytrace=False)
        return
    # Keys typed, each at its place once what comes before it has been
    # printed; or a guest that never ends, stopped once the lines are there.
    cwd = scratch_repo(block.attrs.get("patch"), block.chapter)
    if UPDATE and exact:  # type by the lines' form; compare exactly at the end
        steps = chapters.session(block.text, False)
    with BuildLock():
        machine = Qemu(shell(script), cwd=cwd, timeout=int(block.attrs.get("timeout", RUN_TIMEOUT)))
        qemu.runs.append(machine)
        for step in steps:
            try:
                machine.wait_for(re.compile(step.pattern))
                matched = True
            except AssertionError:
                matched = False
            if not matched:
                machine.kill()
                updated = update_block(block, machine.output) if UPDATE and exact else ""
                pytest.fail(f"{block.name}: `{script}`, typed as the chapter says, prints "
                            f"something else{updated}.\n"
                            + explain(machine.output, expected_lines(block.text), exact),
                            pytrace=False)
            if step.send is not None:
                machine.send(step.send)
        if "timeout" in block.attrs:
            machine.kill()
        else:
            machine.process.stdin.close()
            assert machine.wait_exit() is not None, f"{block.name}: `{script}` did not end"
    if UPDATE and exact and not re.search(chapters.session(block.text, True)[-1].pattern,
                                          machine.output):
        pytest.fail(f"{block.name}: `{script}` prints other figures{update_block(block, machine.output)}.\n"
                    + explain(machine.output, expected_lines(block.text), exact), pytrace=False)


def expected_lines(text):
    """The block's lines as they are expected (keys as their echo)."""
    steps_text = []
    for line in text.split("\n"):
        flat = chapters.KEYS.sub(lambda k: chapters.typed(k.group(1))[1], line)
        if chapters.KEYS.search(line) and not flat.strip():
            continue
        steps_text.extend(flat.rstrip("\n").split("\n"))
    return steps_text


# ---------------------------------------------------------------- figures in prose

FIGURES = [f for c in PARSED.values() for f in c.figures]


@pytest.mark.parametrize("stage, figure", [param(f) for f in FIGURES])
def test_prose_figure_matches_a_run(qemu, stage, figure):
    skip_unless_runnable(figure.command, figure.attrs)
    assert figure.value, f"{figure.name}: no figure just before the comment"
    assert set(figure.attrs) <= {"patch", "qemu"}, f"{figure.name}: unknown {figure.attrs}"
    output = output_of(qemu, figure, figure.command, figure.attrs)
    regex = chapters.pattern_regex(figure.pattern, figure.value,
                                   exact_machine(figure.command, figure.attrs))
    if not any(re.search(regex, line) for line in output.splitlines()):
        if UPDATE and exact_machine(figure.command, figure.attrs) and "⟦" in figure.value:
            capture = chapters.pattern_regex(figure.pattern, figure.value, chapters.CAPTURE)
            found = [m for m in map(lambda l: re.search(capture, l), output.splitlines()) if m]
            if found:
                update_marks(figure.chapter, max(1, figure.line - 3), figure.line + 1,
                             found[0].groups(), occurrence=figure.value)
        near = [line for line in output.splitlines()
                if re.search(chapters.pattern_regex(figure.pattern, "⟨x⟩", False)
                             .replace(r"[A-Za-z]+", r"\S+"), line)]
        pytest.fail(f"{figure.name}: the chapter says {figure.value} where `{figure.command}` "
                    f"prints \"{figure.pattern}\"; the run printed: {near[:3] or 'no such line'}",
                    pytrace=False)


@pytest.mark.parametrize("stage, block", [param(b) for b in blocks("diagram") if "from" in b.attrs])
def test_diagram_figures_match_a_run(qemu, stage, block):
    """Each marked figure of a drawing is printed by the run it names."""
    command = block.attrs["from"]
    skip_unless_runnable(command)
    output = output_of(qemu, block, command, {})
    exact = exact_machine(command)
    for mark in chapters.MARK.finditer(block.text):
        assert re.search(chapters.pattern_regex("{}", mark.group(0), exact), output), \
            f"{block.name}: `{command}` prints no {mark.group(0)}"


# ---------------------------------------------------------------- code

def stage_files(chapter):
    directory = REPO / Path(chapter).parent
    skip = {"build", "solutions"}
    return [p for p in sorted(directory.rglob("*")) if p.is_file() and p.suffix != ".md"
            and not skip & set(p.relative_to(directory).parts)
            and not p.relative_to(directory).parts[0].startswith("solution-")]


@pytest.mark.parametrize("stage, block", [param(b) for b in blocks("code")])
def test_code_excerpt_is_in_the_stage(stage, block):
    directory = REPO / Path(block.chapter).parent
    files = [directory / block.attrs["file"]] if "file" in block.attrs else stage_files(block.chapter)
    texts = {f: f.read_text(errors="replace") for f in files}
    pieces = re.split(r"\n\s*\.\.\.\s*(?:\n|$)", "\n" + block.text + "\n")
    for piece in pieces:
        if not piece.strip():
            continue
        assert any(piece in text for text in texts.values()), (
            f"{block.name}: this excerpt is not in {directory.relative_to(REPO)}'s files "
            f"as it is:\n{piece}")


# ---------------------------------------------------------------- diffs

DIFFS = {}


def diff_of(stage):
    """make diff STEP=stage: its files (from the stage's directory) and its
    changed lines (added, removed; blank ones left out)."""
    if stage not in DIFFS:
        directory = next(s for s in STAGES + BEYOND if s == stage or s.startswith(stage + "-"))
        out = subprocess.run(shell(f"make -s --no-print-directory diff STEP={stage}"),
                             cwd=REPO, capture_output=True, text=True).stdout.splitlines()
        files = [Path(line.split()[-1]).relative_to(directory).as_posix()
                 for line in out if line.startswith("diff -ruN")]
        added = sum(1 for l in out if l.startswith("+") and not l.startswith("+++") and l[1:].strip())
        removed = sum(1 for l in out if l.startswith("-") and not l.startswith("---")
                      and l[1:].strip())
        DIFFS[stage] = (files, added, removed)
    return DIFFS[stage]


@pytest.mark.parametrize("stage, chapter", [(stage_of(c), c) for c in PARSED])
def test_diff_sizes_are_make_diffs(stage, chapter):
    prose = "\n".join(t for _, t in PARSED[chapter].prose)
    for match in chapters.DIFF_SIZE.finditer(prose):
        named = match.group(1)
        real_files, real_added, real_removed = diff_of(named)
        real = {2: real_added + real_removed, 3: real_added, 4: real_removed, 5: len(real_files)}
        said = {n: int(match.group(n).replace(",", "")) for n in real if match.group(n)}
        if UPDATE and any(said[n] != real[n] for n in said):
            path = REPO / chapter
            text = path.read_text()
            at = text.index(match.group(0))
            new = match.group(0)
            for n in sorted(said, reverse=True):  # from the end: the spans stay right
                start, end = match.start(n) - match.start(0), match.end(n) - match.start(0)
                new = new[:start] + f"{real[n]:,}" + new[end:]
            path.write_text(text[:at] + new + text[at + len(match.group(0)):])
        where = f"{chapter}: `make diff STEP={named}` shows"
        assert said[2] == real[2], f"{where} {real[2]} changed lines, not {said[2]}"
        if 3 in said:
            assert (said[3], said[4]) == (real[3], real[4]), \
                f"{where} {real[3]} added and {real[4]} removed, not {said[3]} and {said[4]}"
        assert said[5] == real[5], f"{where} {real[5]} files, not {said[5]}"


READING = re.compile(r"^#+ .*reading order", re.IGNORECASE)


def reading_order(chapter):
    """The files a chapter's reading order names, in order, and its items."""
    items, inside = [], False
    for _, line in PARSED[chapter].prose:
        if chapters.HEADING.match(line):
            inside = bool(READING.match(line))
            continue
        if inside and re.match(r"^\s*(\d+\.|-) ", line):
            items.append(line)
        elif inside and items and line.startswith("   ") and line.strip():
            items[-1] += " " + line.strip()
    names = []
    for item in items:
        head = item.split(": ", 1)[0] if ": " in item else item
        names += re.findall(r"`([^`]+)`", head)
    return names, items


@pytest.mark.parametrize("stage", [s for s in STAGES[1:] + BEYOND])
def test_reading_order_covers_the_diff(stage):
    chapter = f"{stage}/README.md"
    if chapter not in PARSED:
        pytest.skip(f"{stage} has no chapter yet")
    names, items = reading_order(chapter)
    assert items, f"{chapter}: no reading order (a `## ... reading order` section listing the " \
                  f"files of `make diff STEP={stage}`)"
    files, _, _ = diff_of(stage)
    repeated = sorted({n for n in names if names.count(n) > 1})
    assert not repeated, f"{chapter}: the reading order names these twice: {repeated}"
    assert not set(files) - set(names), \
        f"{chapter}: the reading order leaves out {sorted(set(files) - set(names))}"
    assert not set(names) - set(files), \
        f"{chapter}: the reading order names files not in the diff: {sorted(set(names) - set(files))}"


# ---------------------------------------------------------------- bench

def bench_sources():
    return "\n".join(p.read_text() for p in sorted((REPO / "scripts").glob("bench*.py")))


def section_before(chapter, line):
    """The prose from the heading above `line` to it."""
    text = []
    for number, prose in PARSED[chapter].prose:
        if number >= line:
            break
        text = [] if chapters.HEADING.match(prose) else text + [prose]
    return "\n".join(text)


def bench_tables():
    """Markdown tables that follow a <!-- bench --> comment: (chapter, line, rows)."""
    found = []
    for chapter, parsed in PARSED.items():
        prose = parsed.prose
        for index, (number, text) in enumerate(prose):
            if text.strip() == "<!-- bench -->":
                rows = []
                for n, t in prose[index + 1:]:
                    if not t.startswith("|"):
                        if rows:
                            break
                        continue
                    rows.append(t)
                found.append((chapter, number, rows))
    return found


@pytest.mark.parametrize("stage, block", [param(b) for b in blocks("bench")])
def test_bench_block_has_its_form(stage, block):
    context = section_before(block.chapter, block.line) + "\n" + block.text
    assert re.search(r"\b20\d\d-\d\d-\d\d\b", context), f"{block.name}: measured when? (a date)"
    assert re.search(r"QEMU \d+\.\d+\.\d+", context), f"{block.name}: with which QEMU? (X.Y.Z)"
    sources = bench_sources()
    for line in block.text.split("\n"):
        if re.match(r"QEMU \d+\.\d+\.\d+", line):  # which QEMU the lines below are from
            continue
        for word in re.findall(r"[A-Za-z][A-Za-z_-]{2,}", line):
            assert word in sources, (f"{block.name}: {word!r} is not something make bench "
                                     f"prints (scripts/bench*.py): {line}")


@pytest.mark.parametrize("stage, chapter, line, rows",
                         [(stage_of(c), c, n, r) for c, n, r in bench_tables()],
                         ids=[f"{c}:{n}" for c, n, _ in bench_tables()])
def test_bench_table_has_its_form(stage, chapter, line, rows):
    context = section_before(chapter, line)
    assert re.search(r"\b20\d\d-\d\d-\d\d\b", context), f"{chapter}:{line}: measured when?"
    assert re.search(r"QEMU \d+\.\d+", context + "\n".join(rows)), \
        f"{chapter}:{line}: with which QEMU?"
    assert len(rows) >= 3, f"{chapter}:{line}: a table follows <!-- bench -->"
    cells = [r.strip().strip("|").split("|") for r in rows]
    for row in cells[2:]:
        assert len(row) == len(cells[0]), f"{chapter}:{line}: a row of another width: {row}"
        for cell in row[1:]:
            assert re.fullmatch(r"\s*[\d.,]+( to [\d.,]+)?\s*(ms|µs|us|s|%)?\s*", cell), \
                f"{chapter}:{line}: not a measurement: {cell!r}"
