"""Checks of final's exercises (see its README.md)."""

import re
import struct
import tempfile
from pathlib import Path

from conftest import REPO, Stage, linux_version, make
from solutions import solution

PROMPT = "guest$ "
STUCK_SECONDS = 4  # the stuck guest never ends: QEMU is killed after this


def with_test_guest(stage, name, action, directory):
    """The stage (or its solved copy) booting test guest `name`, told to do
    `action` (the 32 bytes at offset 0x40 of its Image: tests/guests/start.S)."""
    make("-C", "tests/guests")
    image = bytearray((REPO / "tests" / "guests" / "build" / f"{name}.Image").read_bytes())
    struct.pack_into("<24sQ", image, 0x40, action.encode(), 0)
    path = Path(directory) / f"{name}-{action}.Image"
    path.write_bytes(image)
    return Stage(stage.name, kernel=path, directory=stage.dir).build()


def shell_command(machine, command):
    """Type a command at the guest's prompt; return what it printed."""
    start = len(machine.output)
    machine.send(command + "\n")
    machine.wait_for(PROMPT, since=start + len(command))
    lines = machine.output[start:].split("\n")
    return "\n".join(line.rstrip("\r") for line in lines[1:-1])


@solution("final", 1, interactive=True)
def the_watchdog_reports_a_guest_timer_that_is_due_and_not_taken(qemu, stage):
    # Linux: a summary line at power-off, whatever the count. (A find or
    # two may come during the sleep, a fraction of a millisecond overdue:
    # the guest's tick fell due just before the watchdog's, and had not
    # been taken yet. So the sleep's output is not checked.)
    machine = qemu.start(stage.build(), timeout=60)
    machine.wait_for(PROMPT)
    shell_command(machine, "sleep 1500")
    machine.send("poweroff\n")
    assert machine.wait_exit() == 0
    summary = re.search(r"^\[hypervisor\] watchdog: (\d+) of its (\d+) exits found the guest's "
                        r"timer overdue$", machine.output, re.MULTILINE)
    assert summary, "no watchdog summary after the exit table"
    overdue, exits = map(int, summary.groups())
    assert exits >= 2 and overdue <= exits

    with tempfile.TemporaryDirectory() as directory:
        # A guest spinning with its interrupts off and its timer due: every
        # watchdog exit finds the timer overdue, a little more each time, and
        # the guest at the same pc (its loop is one jump).
        run = qemu.run(with_test_guest(stage, "stuck", "spin", directory), timeout=STUCK_SECONDS)
        reports = re.findall(r"^\[hypervisor\] watchdog: the guest's timer is (\d+) us overdue, "
                             r"not taken, at pc (0x[0-9a-f]+)$", run.output, re.MULTILINE)
        assert len(reports) >= 2, run.output[-2000:]
        late = [int(us) for us, _ in reports]
        assert late == sorted(late) and late[-1] - late[0] >= 400_000 * (len(late) - 1)
        assert len({pc for _, pc in reports}) == 1
        # A guest waiting with no timer set: nothing is due, nothing reported.
        run = qemu.run(with_test_guest(stage, "stuck", "wfi", directory), timeout=STUCK_SECONDS)
        assert "stuck: about to wait for an interrupt, with no timer set" in run.lines
        assert "overdue" not in run.output


@solution("final", 2, interactive=True)
def the_debug_console_writes_at_most_32_bytes_per_call(qemu, stage):
    with tempfile.TemporaryDirectory() as directory:
        machine = qemu.start(with_test_guest(stage, "sbi", "dbcn", directory), timeout=10)
        machine.wait_for("dbcn: byte by byte")
        run = qemu.finish(machine, input="typed by the test\n")
    # The whole buffer is still checked first: a bad one is refused, not cut.
    for what in ("past the end of RAM", "across the end of RAM", "a size that wraps"):
        assert f"dbcn: {what}: write -> error -3, read -> error -3" in run.lines, what
    # The guest asked for 37 bytes: 32 went out, and a1 says so. (This
    # guest does not call again for the rest; Linux does.)
    run.expect_lines("dbcn: this line went out in one dbcn: write -> error 0, value 32",
                     "dbcn: byte by byte", "dbcn: read 'typed by the test'")
    run.expect_exit(0)

    # Linux sends the rest of each write again: nothing of its output is
    # lost. (Linux 6.1 does not use the debug console: it never meets the cap.)
    if tuple(map(int, linux_version().split(".")[:2])) < (6, 6):
        return
    machine = qemu.start(stage.build(), timeout=60)
    machine.wait_for(PROMPT)
    assert "uname [-a]      print the kernel name (-a: all system information)" in \
        shell_command(machine, "help").splitlines()
    assert shell_command(machine, "echo " + "0123456789" * 10) == "0123456789" * 10
    machine.send("poweroff\n")
    assert machine.wait_exit() == 0
