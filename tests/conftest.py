"""The QEMU test harness shared by every test file.

Each test builds a stage with make, boots it headless in QEMU with a hard
timeout, and checks what the machine printed and how QEMU exited. The console
log of a failing test is saved under tests/logs/ and its tail is shown in the
failure report.

A behaviour introduced in step N is tested on every later stage too: test
files parametrize over `stages_from("stepNN")`. `make test STEP=stepNN`
(pytest --stage stepNN) keeps only the cases of that one stage.
"""

import fcntl
import os
import re
import shlex
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
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
LINUX = os.environ.get("LINUX", "")
LINUX_IMAGE = (Path(os.environ["KERNEL"]) if os.environ.get("KERNEL") else
               REPO / "linux" / "build" / (f"linux-{LINUX}" if LINUX else "") / "Image")


def linux_version():
    """The guest kernel's version ("6.12.117"), read from its Image."""
    match = re.search(rb"Linux version (\d+\.\d+\.\d+)", LINUX_IMAGE.read_bytes())
    assert match, f"{LINUX_IMAGE} holds no 'Linux version' string"
    return match.group(1).decode()

# How long one QEMU run may take before it is killed (seconds).
DEFAULT_TIMEOUT = 20

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
    # Tests of the same stage may build at the same time (pytest -n): one at a time.
    LOGS.mkdir(exist_ok=True)
    with open(LOGS / ".make.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = subprocess.run(["make", "--no-print-directory", *args], cwd=REPO,
                                capture_output=True, text=True,
                                env={**os.environ, **(env or {})})
    if result.returncode != 0:
        pytest.fail(f"make {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}",
                    pytrace=False)
    return result.stdout


class Stage:
    """One stage directory, built as `variant` (a name) with extra -D flags.
    `directory` is a copy of the stage elsewhere (an exercise's solution)."""

    def __init__(self, name, variant="default", defines=(), kernel=None, directory=None):
        self.name = name
        self.dir = Path(directory) if directory else REPO / name
        if directory and kernel is None and self.loads_kernel:
            kernel = LINUX_IMAGE  # the copy has no ../linux next to it
        self.build_dir = "build" if variant == "default" else f"build/{variant}"
        self.make_vars = [f"BUILD={self.build_dir}"]
        if defines:
            self.make_vars.append("DEFINES=" + " ".join(f"-D{d}" for d in defines))
        if kernel is not None:
            self.make_vars.append(f"KERNEL={kernel}")

    @property
    def elf(self):
        return self.dir / self.build_dir / "hypervisor.elf"

    @property
    def loads_kernel(self):
        """Does it boot a guest kernel (its Makefile has a `kernel` target)?"""
        makefile = (REPO / self.name / "Makefile").read_text()
        return re.search(r"^kernel:", makefile, re.MULTILINE) is not None

    def build(self):
        # `kernel` builds the default guest kernel (cached) or checks KERNEL=.
        if self.loads_kernel and self.dir != REPO / self.name:
            make("-C", "linux")
        make("-C", str(self.dir), *self.make_vars, "all",
             *(["kernel"] if self.loads_kernel else []))
        return self

    def qemu_command(self, extra_make_vars=()):
        """The exact command `make run` uses, so tests boot what users boot."""
        out = make("-s", "-C", str(self.dir), *self.make_vars, *extra_make_vars, "qemu-command")
        return shlex.split(out.strip().splitlines()[-1])


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

LINE_END = re.compile(r"\r+\n")


class Qemu:
    """A running QEMU: read what it prints, type into it, wait for it to exit."""

    def __init__(self, command, cwd, timeout=DEFAULT_TIMEOUT):
        self.command = command
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout
        self.timed_out = False
        self._chunks = []
        self._changed = threading.Condition()
        self.process = subprocess.Popen(
            command, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True)  # its own process group
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        while True:
            data = self.process.stdout.read1(4096)
            with self._changed:
                if not data:
                    self._chunks.append(None)
                    self._changed.notify_all()
                    return
                self._chunks.append(data)
                self._changed.notify_all()

    @property
    def output(self):
        with self._changed:
            raw = b"".join(c for c in self._chunks if c is not None)
        # A terminal ends lines with \r\n, and OpenSBI's console puts a \r
        # before every \n it passes on: a guest's line can end \r\r\n.
        return LINE_END.sub("\n", raw.decode("utf-8", errors="replace"))

    def _remaining(self):
        return self.deadline - time.monotonic()

    def kill(self):
        """End QEMU and anything it started: the whole process group."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait()
        self._reader.join(timeout=5)

    def wait_for(self, pattern, since=0):
        """Wait until the output (from offset `since`) contains `pattern`, a
        literal string or a compiled regex; return the match. Output arrives
        in pieces: end a regex with \n so it cannot match half a line."""
        regex = pattern if isinstance(pattern, re.Pattern) else re.compile(re.escape(pattern))
        with self._changed:
            while True:
                match = regex.search(self.output[since:])
                if match:
                    return match
                if self._chunks and self._chunks[-1] is None:
                    raise AssertionError(f"QEMU exited before printing {pattern!r}")
                if self._remaining() <= 0:
                    self.timed_out = True
                    self.kill()
                    raise AssertionError(f"timed out after {self.timeout}s waiting for {pattern!r}")
                self._changed.wait(timeout=min(self._remaining(), 1.0))

    def send(self, text):
        TYPED["now"] = True
        self.process.stdin.write(text.encode())
        self.process.stdin.flush()

    def wait_exit(self):
        """Wait for QEMU to exit by itself; on timeout kill it. Returns the status."""
        try:
            self.process.wait(timeout=max(self._remaining(), 0))
        except subprocess.TimeoutExpired:
            self.timed_out = True
            self.kill()
            return None
        self._reader.join(timeout=5)
        return self.process.returncode


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
