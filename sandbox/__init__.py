"""The hypervisor as a library: run a program, or a Linux sandbox, from
Python, as easily as a subprocess. sandbox/README.md is its chapter.

    import sandbox
    r = sandbox.run(["hello", "a", "b"], input=b"...", timeout=5)
    r.returncode, r.stdout, r.stderr

    with sandbox.Linux(memory="256M") as vm:
        vm.run("echo hi").stdout
        snap = vm.snapshot()
        vm.restore(snap)
"""

from .linux import (CompletedCommand, GuestDied, Linux, SandboxError, Snapshot,  # noqa: F401
                    TimeoutExpired)
from .machine import Machine, MachineError  # noqa: F401
from .programs import CompletedProgram, run, shipped  # noqa: F401
from .stage import REPO, BuildError, Stage  # noqa: F401
