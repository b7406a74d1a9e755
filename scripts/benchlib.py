"""What the benchmarks (scripts/bench*.py, `make bench`) share.

They build and boot the stages the way the tests and the library do, with
the sandbox package at the top of the repository: sandbox/stage.py builds
a stage and gives the exact QEMU command its `make run` uses, and
sandbox/machine.py runs it (its console read in a thread, each piece
timed as it arrives). No benchmark has a QEMU driver of its own.

A benchmark boots each machine in a `with running(...)` block. QEMU is
killed when the block ends, whatever happens (and when the script is
killed: see sandbox/machine.py), and whatever goes wrong in the block, a
wait that fails (QEMU exited early, or its time ran out) or a check of the
benchmark's own, ends the run as a RunFailed that holds what the console
printed, for the benchmark to show.
"""

import contextlib
import os
import platform
import re
import signal
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
# What the benchmarks use from the package, under one roof:
from sandbox.machine import LINE_END, Machine, MachineError  # noqa: E402,F401
from sandbox.stage import LINUX_IMAGE, BuildError, Stage, make  # noqa: E402,F401


class RunFailed(Exception):
    """A QEMU run did not go as the benchmark needs: why, and what its
    console printed."""

    def __init__(self, why, output=""):
        super().__init__(why)
        self.output = output

    def last_lines(self, count=15):
        """The console's last lines, indented, to print under the reason."""
        return "\n".join("  | " + line for line in self.output.splitlines()[-count:])


@contextlib.contextmanager
def running(command, cwd, timeout, what=""):
    """A Machine running `command` in `cwd`, for the `with` block; killed
    at its end. A failure in the block becomes a RunFailed with the
    console's output, its reason prefixed with `what` if given."""
    with Machine(command, cwd=cwd, timeout=timeout) as machine:
        try:
            yield machine
        except (MachineError, RunFailed) as failure:
            why = f"{what}: {failure}" if what else str(failure)
            raise RunFailed(why, machine.output) from None
        except BrokenPipeError:  # typing into a QEMU that is gone
            why = "QEMU no longer reads its console"
            raise RunFailed(f"{what}: {why}" if what else why, machine.output) from None


def finish(machine):
    """Wait for QEMU to exit by itself, with status 0; returns what its
    console printed."""
    status = machine.wait_exit()
    if status is None:
        raise RunFailed(f"QEMU did not exit within {machine.timeout:g} s", machine.output)
    if status != 0:
        raise RunFailed(f"QEMU exited with status {status}", machine.output)
    return machine.output


def direct(command, image, drop=("-kernel", "-initrd")):
    """A hypervisor's QEMU command turned into one that boots `image`
    straight on QEMU: the same machine, the same harts, no hypervisor.
    The options in `drop` go, with their values, and `image` becomes
    QEMU's -kernel."""
    kept, skip = [], False
    for word in command:
        if skip:
            skip = False
        elif word in drop:
            skip = True
        else:
            kept.append(word)
    return kept + ["-kernel", str(image)]


def option(command, name):
    """The word after `name` in a QEMU command (`-initrd` -> its file)."""
    return command[command.index(name) + 1]


def qemu_version(program):
    """The first line of `program --version`: "QEMU emulator version ..."."""
    try:
        return subprocess.run([program, "--version"], capture_output=True,
                              text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        return f"{program} (no version printed)"


def machine_description():
    """The host's CPU model and count, for a benchmark's first line."""
    cpu = platform.machine()
    try:
        models = re.findall(r"^model name\s*:\s*(.*)$", Path("/proc/cpuinfo").read_text(),
                            re.MULTILINE)
        cpu = models[0] if models else cpu
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} CPUs"


def main(name, function):
    """Run a benchmark's main function as the script: its return value is
    the exit status. A make that fails, a run that fails outside the
    benchmark's own reporting, Ctrl-C and SIGTERM each end it with a line
    saying so (leaving the `with running` blocks kills the QEMU running)."""
    def interrupted(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    try:
        sys.exit(function())
    except BuildError as failure:
        sys.exit(f"{name}: {failure}")
    except RunFailed as failure:
        print(f"{name}: {failure}. Its last lines:\n{failure.last_lines()}")
        sys.exit(1)
    except KeyboardInterrupt:
        print(f"\n{name}: interrupted", file=sys.stderr)
        sys.exit(130)
