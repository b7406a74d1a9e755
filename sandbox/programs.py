"""Programs with no kernel: a static Linux program run by
beyond/syscall-emulation, shaped like subprocess.run.

    r = sandbox.run(["hello", "a", "b"], input=b"...", files="dir", timeout=5)
    r.returncode, r.stdout, r.stderr      # bytes; -N if killed by signal N

The program's bytes, its files and its standard input travel to the
hypervisor on the control channel (beyond/syscall-emulation/src/control.hpp),
and its output comes back on it, standard output and error apart, byte
for byte, with how it ended. The hypervisor's own lines come apart too,
and never mix with the program's.

One machine runs program after program: the first call starts it (QEMU,
the firmware, the hypervisor: about a tenth of a second), later calls find
it waiting, send only what changed (a program and its files are sent
again only when they differ), and the hypervisor puts the world back as
it was at boot between two programs. The machine dies with the Python
process (sandbox/machine.py).
"""

import hashlib
import os
import stat
import struct
import tempfile
import time
from pathlib import Path

from .linux import SandboxError, TimeoutExpired
from .machine import Machine, MachineError
from .stage import REPO, Stage

STAGE = "beyond/syscall-emulation"
SHIPPED = REPO / STAGE / "build" / "programs"  # programs/NAME.c, built by the stage's make
BOOT_TIMEOUT = 30


class CompletedProgram:
    """As subprocess.CompletedProcess: returncode is the exit status, or
    -N if the program was killed by signal N."""

    def __init__(self, args, returncode, stdout, stderr):
        self.args, self.returncode, self.stdout, self.stderr = args, returncode, stdout, stderr

    def __repr__(self):
        return (f"CompletedProgram(args={self.args!r}, returncode={self.returncode}, "
                f"stdout={self.stdout!r}, stderr={self.stderr!r})")


def run(args, input=b"", files=None, timeout=None, memory=None, cpu_time=10):
    """Run a static riscv64 Linux program with no kernel. args[0] is a
    shipped program's name (beyond/syscall-emulation/programs/) or a path.
    `input`: its whole standard input (bytes); `files`: a directory, its
    read-only file tree; `timeout`: wall-clock seconds (TimeoutExpired);
    `memory`: "64M" (its memory at most); `cpu_time`: seconds of CPU it may
    use (then SIGXCPU: returncode -24)."""
    args = [str(a) for a in args]
    if not args:
        raise ValueError("run() needs a program")
    machine = _machine(memory, cpu_time)  # first: it builds the shipped programs
    archive, digest = _archive(_program(args[0]), files)
    deadline = time.monotonic() + (timeout if timeout is not None else 365 * 24 * 3600)
    try:
        if machine.loaded != digest:
            machine.channel.send("L", archive)
            machine.loaded = digest
        words = b"".join(Path(a).name.encode() + b"\0" if i == 0 else a.encode() + b"\0"
                         for i, a in enumerate(args))
        machine.channel.send("R", struct.pack("<I", len(input)) + bytes(input) + words)
        stdout, stderr, ours = bytearray(), bytearray(), []
        status = None
        while True:
            frame = machine.channel.next("OEXHW", deadline)
            if frame is None:
                if time.monotonic() >= deadline:
                    raise TimeoutExpired(args, timeout, bytes(stdout), bytes(stderr))
                raise SandboxError(f"the machine ended: {_last_words(machine)}")
            kind, payload = frame
            if kind == "O":
                stdout += payload
            elif kind == "E":
                stderr += payload
            elif kind == "H":
                ours.append(payload.decode(errors="replace"))
            elif kind == "X":
                status = struct.unpack("<i", payload)[0]
            elif status is not None:  # 'W' after 'X': done, and ready for the next
                return CompletedProgram(args, status, bytes(stdout), bytes(stderr))
            else:  # 'W' with no 'X': we could not run it, and our lines say why
                raise SandboxError(f"{args[0]}: " + "; ".join(ours or ["no reason given"]))
    except BaseException:
        _discard(memory, cpu_time)  # in an unknown state: the next run starts another
        raise


# ---------------------------------------------------------------- the warm machines

_machines = {}  # (memory, cpu_time) -> a Machine waiting for a program


def _machine(memory, cpu_time):
    key = (memory, cpu_time)
    machine = _machines.get(key)
    if machine is not None and machine.running and not machine.channel.ended:
        return machine
    stage = Stage(STAGE).build()
    directory = tempfile.mkdtemp(prefix="sandbox-run-")
    socket_path = os.path.join(directory, "control")
    make_vars = [f"CONTROL={socket_path}", f"TIMEOUT={cpu_time}", "QUIET=1"]
    if memory:
        make_vars.append(f"GUEST_MEM={memory}")
    try:
        machine = Machine(stage.qemu_command(make_vars), cwd=stage.dir, timeout=365 * 24 * 3600,
                          control=socket_path)
    except MachineError as error:
        raise SandboxError(f"the machine did not start: {error}") from None
    machine.loaded = None  # the archive it holds
    if machine.channel.next("W", time.monotonic() + BOOT_TIMEOUT) is None:
        machine.kill()
        raise SandboxError(f"the machine did not start: {_last_words(machine)}")
    _machines[key] = machine
    return machine


def _discard(memory, cpu_time):
    machine = _machines.pop((memory, cpu_time), None)
    if machine is not None:
        machine.kill()


def _last_words(machine):
    machine.settle()  # the channel ends before the console's last line arrives
    return machine.output.strip().splitlines()[-1] if machine.output.strip() else "nothing printed"


# ---------------------------------------------------------------- the archive

def _program(name):
    path = Path(name)
    if "/" not in name and (SHIPPED / name).exists():
        return SHIPPED / name
    if not path.is_file():
        raise FileNotFoundError(f"no program {name!r}: neither a shipped one ({', '.join(shipped())}) "
                                f"nor a file")
    return path


def shipped():
    """The names of the shipped programs (beyond/syscall-emulation/programs/)."""
    return sorted(p.stem for p in (REPO / STAGE / "programs").glob("*.c"))


_last_archive = {}  # (program's path, mtime, size) -> (archive, digest), for files=None


def _archive(program, files):
    """The cpio archive (newc) the hypervisor reads, and its digest: the
    program, and the file tree under files/, as `make run` packs them.
    A program alone, unchanged since the last call, is not packed again."""
    info = program.stat()
    key = (str(program.resolve()), info.st_mtime_ns, info.st_size)
    if files is None and key in _last_archive:
        return _last_archive[key]
    archive = _pack(program, files)
    result = archive, hashlib.sha256(archive).digest()
    if files is None:
        _last_archive.clear()
        _last_archive[key] = result
    return result


def _pack(program, files):
    entries = [("program", program.read_bytes(), 0o100755, int(program.stat().st_mtime))]
    if files:
        root = Path(files)
        if not root.is_dir():
            raise NotADirectoryError(f"files={files!r}: not a directory")
        entries.append(("files", b"", 0o40755, int(root.stat().st_mtime)))
        for path in sorted(root.rglob("*")):
            info = path.stat()  # links followed, as make run's cp -RL does
            name = "files/" + path.relative_to(root).as_posix()
            if stat.S_ISDIR(info.st_mode):
                entries.append((name, b"", 0o40755, int(info.st_mtime)))
            elif stat.S_ISREG(info.st_mode):
                entries.append((name, path.read_bytes(), 0o100644 | (info.st_mode & 0o111),
                                int(info.st_mtime)))
    out = bytearray()
    for number, (name, data, mode, mtime) in enumerate(entries + [("TRAILER!!!", b"", 0, 0)], 1):
        encoded = name.encode() + b"\0"
        fields = [number, mode, 0, 0, 1, mtime, len(data), 0, 0, 0, 0, len(encoded), 0]
        out += b"070701" + b"".join(b"%08X" % field for field in fields) + encoded
        out += b"\0" * (-len(out) % 4) + data + b"\0" * (-len(data) % 4)
    return bytes(out)
