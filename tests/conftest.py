"""The QEMU test harness shared by every test file.

Each test builds a stage with make, boots it headless in QEMU with a hard
timeout, and checks what the machine printed and how QEMU exited. The console
log of a failing test is saved under tests/logs/ and its tail is shown in the
failure report.

A behaviour introduced in step N is tested on every later stage too: test
files parametrize over `stages_from("stepNN")`. `make test STEP=stepNN`
(pytest --stage stepNN) keeps only the cases of that one stage.
"""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# Stages are built, and QEMU driven, by the sandbox package (sandbox/ at
# the top of the repository): the tests boot machines the way the library
# and the benchmarks do, with one driver for all three.
sys.path.insert(0, str(REPO))
import sandbox.stage  # noqa: E402
from sandbox.machine import DEFAULT_TIMEOUT, Machine  # noqa: E402
LOGS = REPO / "tests" / "logs"
# The main line, in order: each stage keeps the behaviour of the ones before.
MAIN_LINE = [
    "step01-boot",
    "step02-println",
    "step03-alloc",
    "step04-guest-memory",
    "step05-load-kernel",
    "step06-enter-guest",
    "step07-vmexit",
    "final",
]
STAGES = [s for s in MAIN_LINE if (REPO / s / "Makefile").exists()]
# Stages beyond VMs (beyond/*): each starts from a parent stage and shows
# one concept; which earlier behaviour it keeps, its own tests say.
BEYOND = sorted(str(m.parent.relative_to(REPO)) for m in REPO.glob("beyond/*/Makefile")
                if not m.parent.name.startswith("solution-"))  # make solution's scratch copies
ALL_STAGES = MAIN_LINE + BEYOND
# The guest kernel the stages boot: the one linux/ builds (`make test
# LINUX=6.1`: the older one), or any Image given as `make test KERNEL=...`.
LINUX = sandbox.stage.LINUX
LINUX_IMAGE = sandbox.stage.LINUX_IMAGE


def linux_version():
    """The guest kernel's version ("6.12.117"), read from its Image."""
    match = re.search(rb"Linux version (\d+\.\d+\.\d+)", LINUX_IMAGE.read_bytes())
    assert match, f"{LINUX_IMAGE} holds no 'Linux version' string"
    return match.group(1).decode()

# How long one QEMU run may take before it is killed: DEFAULT_TIMEOUT
# seconds (sandbox/machine.py), unless a test says otherwise.

# Lines that must never appear unless a test asks for them.
NEVER = ["PANIC", "unhandled"]


def stages_from(first):
    """The main-line stages from `first` on: those that keep its behaviour.
    (A beyond/ stage that keeps it too says so in its own tests.)"""
    return [s for s in STAGES if MAIN_LINE.index(s) >= MAIN_LINE.index(first)]


# ---------------------------------------------------------------- interactive tests

# A test that types into a guest, or waits on the guest's timing, is
# marked @pytest.mark.interactive: these are the tests a busy machine or a
# race can make fail now and then, so `make soak MARK=interactive` repeats
# them and CI runs them more than once. Qemu.send records that the current
# test typed; a test that types without the mark fails.
TYPED = {"now": False}


def mark_typed():
    TYPED["now"] = True


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "interactive: types into a guest or depends on its timing "
                   "(repeated by make soak MARK=interactive and by CI)")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    TYPED["now"] = False  # before any fixture, even a module's, boots a guest


@pytest.fixture(autouse=True)
def typing_needs_the_mark(request):
    yield
    if TYPED["now"] and request.node.get_closest_marker("interactive") is None:
        pytest.fail(f"{request.node.nodeid} types into a guest but is not marked "
                    f"@pytest.mark.interactive (see tests/conftest.py)", pytrace=False)


def pytest_addoption(parser):
    parser.addoption("--stage", default=None,
                     help="only run the cases of this stage (e.g. step02 or step02-println)")


def pytest_collection_modifyitems(config, items):
    wanted = config.getoption("--stage")
    if not wanted:
        return
    matches = [s for s in ALL_STAGES if s == wanted or s.startswith(wanted + "-")]
    if not matches:
        raise pytest.UsageError(f"unknown stage {wanted!r}; stages: {', '.join(ALL_STAGES)}")
    stage = matches[0]
    keep, drop = [], []
    for item in items:
        # A test names its stage with a `stage` parameter, or a whole test
        # file with a module-level STAGE (test_final.py: STAGE = "final").
        callspec = getattr(item, "callspec", None)
        item_stage = callspec.params.get("stage") if callspec else None
        item_stage = item_stage or getattr(item.module, "STAGE", None)
        (keep if item_stage == stage else drop).append(item)
    config.hook.pytest_deselected(items=drop)
    items[:] = keep


# ---------------------------------------------------------------- building


def make(*args, env=None):
    """Run make at the top of the repository; fail the test with its output."""
    try:
        return sandbox.stage.make(*args, env=env)
    except sandbox.stage.BuildError as error:
        pytest.fail(str(error), pytrace=False)


class Stage(sandbox.stage.Stage):
    """A stage (sandbox/stage.py), its build failures test failures."""

    def build(self):
        try:
            return super().build()
        except sandbox.stage.BuildError as error:
            pytest.fail(str(error), pytrace=False)

    def qemu_command(self, extra_make_vars=()):
        try:
            return super().qemu_command(extra_make_vars)
        except sandbox.stage.BuildError as error:
            pytest.fail(str(error), pytrace=False)


# ---------------------------------------------------------------- host tests

def host_program(stage, name, sources, tmp_path):
    """Compile tests/host/NAME.cpp for the host with the stage's `sources`
    (plain-logic files from its src/); returns the binary."""
    src = REPO / stage / "src"
    binary = tmp_path / name
    subprocess.run(["g++", "-std=c++20", "-Wall", "-Wextra", "-Werror", f"-I{src}", "-o", binary,
                    *[src / s for s in sources], REPO / "tests" / "host" / f"{name}.cpp"],
                   check=True)
    return binary


def run_host_test(stage, name, sources, tmp_path, *args):
    """Compile and run a host unit test; it must end with 'N passed, 0 failed'."""
    result = subprocess.run([host_program(stage, name, sources, tmp_path), *map(str, args)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^\d+ passed, 0 failed$", result.stdout, re.MULTILINE), result.stdout


# ---------------------------------------------------------------- running

def Qemu(command, cwd, timeout=DEFAULT_TIMEOUT):
    """A running QEMU (sandbox/machine.py): read what it prints, type into
    it, wait for it to exit. Typing marks the test as typing (see above)."""
    return Machine(command, cwd=cwd, timeout=timeout, on_send=mark_typed)


class Run:
    """What a finished QEMU run left behind, with the checks tests make."""

    def __init__(self, output, status, timed_out, timeout):
        self.output = output
        self.status = status
        self.timed_out = timed_out
        self.timeout = timeout
        self.lines = [line.rstrip() for line in output.splitlines()]

    def expect_exit(self, status):
        assert not self.timed_out, f"QEMU did not exit within {self.timeout}s"
        assert self.status == status, f"QEMU exited with status {self.status}, expected {status}"

    def expect_lines(self, *expected):
        """Each expected line appears, in this order. A str must equal a whole
        line; a compiled regex must match a whole line. Returns the matches."""
        matches, start = [], 0
        for want in expected:
            for i in range(start, len(self.lines)):
                line = self.lines[i]
                m = want.fullmatch(line) if isinstance(want, re.Pattern) else (line == want or None)
                if m:
                    matches.append(m)
                    start = i + 1
                    break
            else:
                shown = want.pattern if isinstance(want, re.Pattern) else want
                raise AssertionError(f"line not found (in order): {shown!r}")
        return matches

    def expect_absent(self, *patterns):
        for pattern in patterns or NEVER:
            assert pattern not in self.output, f"unexpected {pattern!r} in the output"


@pytest.fixture
def qemu(request):
    """Boot a stage: `qemu.run(stage)` to completion, or `qemu.start(stage)`
    for an interactive session. Every run is recorded for the failure log."""

    class Launcher:
        def __init__(self):
            self.runs = []

        def start(self, stage, timeout=DEFAULT_TIMEOUT, qemu_args=(), make_vars=()):
            command = stage.qemu_command(make_vars) + list(qemu_args)
            return self.start_command(command, stage.dir, timeout)

        def start_command(self, command, cwd, timeout=DEFAULT_TIMEOUT):
            """Start a QEMU command a test has changed from a stage's own."""
            machine = Qemu(command, cwd=cwd, timeout=timeout)
            self.runs.append(machine)
            return machine

        def run(self, stage, timeout=DEFAULT_TIMEOUT, qemu_args=(), make_vars=(), input=None):
            return self.finish(self.start(stage, timeout, qemu_args, make_vars), input)

        def run_command(self, command, cwd, timeout=DEFAULT_TIMEOUT, input=None):
            return self.finish(self.start_command(command, cwd, timeout), input)

        @staticmethod
        def finish(machine, input):
            if input is not None:
                machine.send(input)
            machine.process.stdin.close()
            status = machine.wait_exit()
            return Run(machine.output, status, machine.timed_out, machine.timeout)

    launcher = Launcher()
    request.node.qemu_runs = launcher.runs
    yield launcher
    for machine in launcher.runs:
        machine.kill()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Save the console log of a failing test and show its tail."""
    outcome = yield
    report = outcome.get_result()
    runs = getattr(item, "qemu_runs", [])
    if report.when != "call" or not report.failed or not runs:
        return
    LOGS.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "_", item.nodeid)
    log = LOGS / f"{name}.log"
    with open(log, "w") as f:
        for machine in runs:
            f.write(f"$ {shlex.join(machine.command)}\n{machine.output}\n")
    tail = "\n".join(runs[-1].output.splitlines()[-25:])
    report.sections.append(("QEMU console (last 25 lines)", f"{tail}\n\nfull log: {log}"))
