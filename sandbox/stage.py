"""The repository's stages, built with make: the exact QEMU command
`make run` would use, so that whatever drives a machine boots what a
person would boot."""

import fcntl
import os
import re
import shlex
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

# The guest kernel the stages boot: the one linux/ builds (LINUX=6.1: the
# older one), or any Image given as KERNEL=.
LINUX = os.environ.get("LINUX", "")
LINUX_IMAGE = (Path(os.environ["KERNEL"]) if os.environ.get("KERNEL") else
               REPO / "linux" / "build" / (f"linux-{LINUX}" if LINUX else "") / "Image")


class BuildError(Exception):
    """make failed: its output says why."""


# Set in a process's environment by a parent that holds the build lock
# for it (tests/test_chapters.py runs a chapter's commands so): then its
# builds must not wait for that lock, or both would wait for ever.
BUILD_LOCK_HELD = "SANDBOX_BUILD_LOCK_HELD"


def make(*args, env=None):
    """Run make at the top of the repository; returns what it printed.
    Builds of the same stage from several processes take turns."""
    lock_directory = REPO / "tests" / "logs"
    lock_directory.mkdir(parents=True, exist_ok=True)
    with open(lock_directory / ".make.lock", "w") as lock:
        if not os.environ.get(BUILD_LOCK_HELD):
            fcntl.flock(lock, fcntl.LOCK_EX)
        result = subprocess.run(["make", "--no-print-directory", *args], cwd=REPO,
                                capture_output=True, text=True,
                                env={**os.environ, **(env or {})})
    if result.returncode != 0:
        raise BuildError(f"make {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
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
        """The exact command `make run` uses, so that what we boot is what users boot."""
        out = make("-s", "-C", str(self.dir), *self.make_vars, *extra_make_vars, "qemu-command")
        return shlex.split(out.strip().splitlines()[-1])
