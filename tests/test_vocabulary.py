"""One vocabulary: the words of the talk mean the same thing in every stage.

The README's table fixes them: try = entering the guest (`vcpu.run()`),
throw = the trap into HS-mode (landing on vm_exit_vector), exception
object = `VmExit`, catch = the handler (`VmExitHandler::handle`),
continuation = the guest's pc moved past the instruction (`vcpu.pc`,
written to sepc at the next entry) and the guest entered again. These
tests fail if a label that contradicts the table comes back.
"""

import re

import pytest

from conftest import BEYOND, REPO, STAGES

# Every stage with a world switch: the steps from 06 on, final/ and beyond/*
# (conftest's lists, which leave out make solution's scratch copies).
SWITCH_STAGES = [s for s in STAGES + BEYOND if (REPO / s / "src" / "world_switch.S").exists()]


def comment_of(line):
    """The comment on a line of assembly (/* ... */ or # ...), or ''."""
    match = re.search(r"/\*(.*?)(\*/|$)|#(.*)$", line)
    return (match.group(1) or match.group(3) or "") if match else ""


@pytest.mark.parametrize("stage", SWITCH_STAGES)
def test_world_switch_labels(stage):
    lines = (REPO / stage / "src" / "world_switch.S").read_text().splitlines()
    for number, line in enumerate(lines, 1):
        instruction = line.split("/*")[0].split("#")[0].split()
        comment = comment_of(line).lower()
        # `ret` goes back into Vcpu::run(), which builds the VmExit: the
        # catch is the handler that gets it, not this instruction.
        if instruction[:1] == ["ret"]:
            assert "catch" not in comment, (
                f"{stage}/src/world_switch.S:{number}: the `ret` is labelled catch, but it "
                f"returns into Vcpu::run(); the catch is VmExitHandler::handle")
        # sret enters the guest: the try, never the catch or the throw.
        if instruction[:1] == ["sret"]:
            assert "catch" not in comment and "throw" not in comment, (
                f"{stage}/src/world_switch.S:{number}: sret enters the guest (the try)")
    text = "\n".join(lines)
    assert re.search(r"^\s*sret\b.*\btry\b", text, re.MULTILINE), \
        f"{stage}/src/world_switch.S: the sret that enters the guest should say it is the try"
    assert re.search(r"^vm_exit_vector:.*\bthrow\b", text, re.MULTILINE), \
        f"{stage}/src/world_switch.S: vm_exit_vector should say it is where the throw lands"


# "advance sepc": the continuation moves vcpu.pc, which run() writes to sepc
# at the next entry. Nothing in the hypervisor advances sepc itself.
OLD_CONTINUATION = re.compile(r"advanc\w*\s+`?sepc`?", re.IGNORECASE)


def chapters():
    found = [REPO / "README.md"]
    found += [REPO / s / "README.md" for s in STAGES]
    found += [REPO / s / "README.md" for s in BEYOND]
    glossary = REPO / "GLOSSARY.md"
    if glossary.exists():
        found.append(glossary)
    return [p for p in found if p.exists()]


def stage_of(path):
    """The stage a chapter belongs to (for --stage), or None for the top ones."""
    relative = path.parent.relative_to(REPO).as_posix()
    return relative if relative in STAGES or relative.startswith("beyond/") else None


@pytest.mark.parametrize("stage, chapter", [(stage_of(c), c.relative_to(REPO).as_posix())
                                            for c in chapters()])
def test_chapters_use_the_continuation_of_the_table(stage, chapter):
    text = (REPO / chapter).read_text()
    for number, line in enumerate(text.splitlines(), 1):
        assert not OLD_CONTINUATION.search(line), (
            f"{chapter}:{number}: the continuation moves `vcpu.pc` (written to sepc at the "
            f"next entry), as the README's table says; say that, not 'advance sepc': {line.strip()}")


@pytest.mark.parametrize("stage", [s for s in SWITCH_STAGES
                                   if (REPO / s / "src" / "vmexit.hpp").exists()])
def test_the_handler_is_the_catch(stage):
    text = (REPO / stage / "src" / "vmexit.hpp").read_text()
    handle_lines = [line for line in text.splitlines() if "handler.handle(" in line]
    assert handle_lines, f"{stage}/src/vmexit.hpp: its comment should show the loop"
    for line in handle_lines:
        assert "catch" in line, f"{stage}/src/vmexit.hpp: handler.handle is the catch: {line}"
    run_lines = [line for line in text.splitlines() if "vcpu.run()" in line]
    for line in run_lines:
        assert "try" in line and "catch" not in line, \
            f"{stage}/src/vmexit.hpp: vcpu.run() is the try: {line}"
