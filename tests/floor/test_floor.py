"""The hypercall benchmark of `make bench` (scripts/bench.py) still measures
what it says: the guest tests/guests/hypercall.cpp times its SBI calls and
prints a line bench.py parses, straight on OpenSBI, under final/ and under
the floor build of tests/floor/; and the floor answers exactly the timed
call itself, leaving everything else to final's own vector.

Only correctness is checked here, never a time: timings belong to
`make bench`, on a quiet machine.
"""

import re
import shlex

import pytest

from conftest import REPO, make

STAGE = "final"  # `make test STEP=final` runs these too: the floor is final/ plus one file

GUEST = REPO / "tests" / "guests" / "build" / "hypercall.Image"
PER_CALL = re.compile(r"hypercall: \d+ ns per call \(median of 5 rounds of 50000 calls\)")
ANSWER = re.compile(r"hypercall: get_spec_version -> error 0, value 0x[0-9a-f]+")
TIMED_CALLS = 6 * 50_000  # a round to warm up, then 5 timed ones
TIMEOUT = 60


@pytest.fixture(scope="module")
def built():
    make("-C", "tests/guests", "build/hypercall.Image")
    make("-C", "final", f"KERNEL={GUEST}", "all")
    make("-C", "tests/floor", "all")


def qemu_command(directory):
    """The command a Makefile's `qemu-command` prints, with our guest."""
    out = make("-s", "-C", directory, f"KERNEL={GUEST}", "qemu-command")
    return shlex.split(out.strip().splitlines()[-1])


def exits(run):
    """final's table of VM exits, as {kind: count}."""
    table = re.findall(r"^\[hypervisor\]   ([A-Za-z ]+?) +(\d+)$", run.output, re.MULTILINE)
    return {kind: int(count) for kind, count in table}


def test_the_floor_answers_only_the_timed_call(qemu, built):
    run = qemu.run_command(qemu_command("tests/floor"), REPO / "final", timeout=TIMEOUT)
    # The floor answers nothing: a0 and a1 come back as the guest set them.
    run.expect_lines("hypercall: get_spec_version -> error 0, value 0x0", PER_CALL,
                     "[hypervisor] the guest powered off")
    table = exits(run)
    assert table["SBI other"] == 1, "only the power-off may reach final's handler"
    assert table["SBI console"] > 0, "the guest's output goes through final's own vector"
    assert table["stopped"] == 0
    run.expect_absent("PANIC", "unhandled")
    run.expect_exit(0)


def test_final_handles_every_call(qemu, built):
    run = qemu.run_command(qemu_command("final"), REPO / "final", timeout=TIMEOUT)
    run.expect_lines(ANSWER, PER_CALL, "[hypervisor] the guest powered off")
    assert exits(run)["SBI other"] == 1 + TIMED_CALLS + 1  # the first call, the loop, the power-off
    run.expect_absent("PANIC", "unhandled")
    run.expect_exit(0)


def test_the_guest_runs_on_the_firmware_directly(qemu, built):
    command = qemu_command("final")
    at = command.index("-kernel")
    del command[at:at + 2]
    at = command.index("-initrd")
    command[at] = "-kernel"  # QEMU loads the guest itself; OpenSBI starts it in S-mode
    run = qemu.run_command(command, REPO / "final", timeout=TIMEOUT)
    run.expect_lines(ANSWER, PER_CALL)
    run.expect_exit(0)
