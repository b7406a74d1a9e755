"""Checks of beyond/snapshot's exercises (see its README.md): two new
controller commands, Ctrl-] d and Ctrl-] h."""

import re

from solutions import solution
from test_final import Shell

BOOT_TIMEOUT = 60
CTRL = "\x1d"  # Ctrl-]
TAKEN = re.compile(r"\[snapshot\] taken pages=(\d+) copied=(\d+) us=(\d+)\n")
ANSWER = re.compile(r"\[snapshot\] (.*)\n")  # any answer: a refusal fails fast below
GUEST_RAM = range(0x8000_0000, 0x8000_0000 + (64 << 20))  # the default 64 MiB


def sandbox(qemu, stage):
    machine = qemu.start(stage.build(), timeout=BOOT_TIMEOUT)
    shell = Shell(machine)
    machine.wait_for(TAKEN)
    return machine, shell


def command(machine, key):
    """Type Ctrl-] and `key`; the controller's answer, without its tag."""
    start = len(machine.output)
    machine.send(CTRL + key)
    return machine.wait_for(ANSWER, since=start).group(1)


def power_off(machine):
    machine.send("poweroff\n")
    assert machine.wait_exit() == 0


@solution("beyond/snapshot", 1, interactive=True)
def lists_the_pages_a_restore_would_copy(qemu, stage):
    machine, shell = sandbox(qemu, stage)
    shell.run("write /f x")
    dirty = int(re.fullmatch(r"status pages=\d+ dirty=(\d+) .*", command(machine, "i")).group(1))
    answer = re.fullmatch(r"dirty pages=(\d+)((?: 0x[0-9a-f]+)*)", command(machine, "d"))
    assert answer, "no '[snapshot] dirty pages=N 0x...' line"
    pages = [int(a, 16) for a in answer.group(2).split()]
    # As many as it says, at least as many as a moment before, each one a
    # distinct page of guest RAM.
    assert len(pages) == int(answer.group(1)) >= dirty > 0, (len(pages), answer.group(1), dirty)
    assert len(set(pages)) == len(pages)
    assert all(p in GUEST_RAM and p % 4096 == 0 for p in pages), [hex(p) for p in pages]
    # A restore copies back what was listed; then the list starts again.
    restored = re.fullmatch(r"restored pages=(\d+) us=\d+ copy=dirty", command(machine, "r"))
    assert int(restored.group(1)) >= len(pages)
    power_off(machine)


@solution("beyond/snapshot", 2, interactive=True)
def counts_the_pages_every_restore_copied(qemu, stage):
    machine, shell = sandbox(qemu, stage)
    assert command(machine, "h") == "hot restores=0 pages=0"
    copied = []
    for round in range(3):
        shell.run(f"write /attempt round-{round}")
        restored = re.fullmatch(r"restored pages=(\d+) us=\d+ copy=dirty", command(machine, "r"))
        copied.append(int(restored.group(1)))
    hot = re.fullmatch(r"hot restores=(\d+) pages=(\d+)", command(machine, "h"))
    assert hot, "no '[snapshot] hot restores=N pages=N' line"
    # The same command writes mostly the same pages each round.
    assert int(hot.group(1)) == 3 and 0 < int(hot.group(2)) <= min(copied), (hot.group(0), copied)
    # A new snapshot starts the count again.
    command(machine, "s")
    assert command(machine, "h") == "hot restores=0 pages=0"
    power_off(machine)
