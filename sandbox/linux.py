"""A Linux sandbox: a Linux guest under beyond/snapshot, driven like a
subprocess, with snapshots.

    with sandbox.Linux(memory="256M") as vm:   # boots once
        r = vm.run("echo hi")                   # returncode, stdout, stderr
        vm.write_file("/x", b"data")
        snap = vm.snapshot()
        vm.run("write /x changed")
        vm.restore(snap)                        # the guest as it was

Two parties speak on the control channel (sandbox/machine.py, Channel):

- the hypervisor: its lines ('H' frames) say a snapshot was taken, a
  restore done, the guest powered off. No byte the guest prints can
  become one: the guest's bytes travel inside 'G' frames.
- the agent, the guest shell's agent mode (linux/userland/agent.h): its
  frames, inside the 'G' stream, carry a command's output and status and
  the files. They come from the guest, and are only as trustworthy as the
  guest.
"""

import errno
import re
import struct
import tempfile
import time
from pathlib import Path

from .machine import Machine
from .stage import Stage

STAGE = "beyond/snapshot"
# The guest's command line: the shell on the virtio console, in agent mode,
# and the kernel quiet (its messages share that console).
COMMAND_LINE = "console=hvc1 loglevel=1 agent"
AGENT_MAGIC = b"\x1eAGT"
TAKEN = re.compile(r"\[snapshot\] taken pages=(\d+) copied=(\d+) us=(\d+)")
RESTORED = re.compile(r"\[snapshot\] restored pages=(\d+) us=(\d+) copy=(dirty|full)")
GRACE = 5  # seconds the agent may take beyond a command's own timeout to answer


class SandboxError(Exception):
    """Something of ours failed: the sandbox, not the command run in it."""


class GuestDied(SandboxError):
    """The guest is gone: it powered off, or its machine ended."""


class TimeoutExpired(SandboxError):
    """A command ran out of time and was killed (as subprocess's)."""

    def __init__(self, cmd, timeout, stdout=b"", stderr=b""):
        super().__init__(f"command {cmd!r} timed out after {timeout} seconds")
        self.cmd, self.timeout, self.stdout, self.stderr = cmd, timeout, stdout, stderr


class CompletedCommand:
    """What a command left: as subprocess.CompletedProcess (returncode -N:
    killed by signal N)."""

    def __init__(self, args, returncode, stdout, stderr):
        self.args, self.returncode, self.stdout, self.stderr = args, returncode, stdout, stderr

    def __repr__(self):
        return (f"CompletedCommand(args={self.args!r}, returncode={self.returncode}, "
                f"stdout={self.stdout!r}, stderr={self.stderr!r})")


class Snapshot:
    """A snapshot of the whole guest. The hypervisor keeps one: the latest."""

    def __init__(self, number, taken_line):
        self.number = number
        self.pages = int(TAKEN.search(taken_line).group(2))  # copied when taken


class Linux:
    """A booted Linux guest, ready for commands; a first snapshot taken."""

    def __init__(self, memory=None, boot_timeout=60, stage=STAGE, kernel=None):
        self.messages = []  # the hypervisor's lines, as they came
        self.console = bytearray()  # what the guest printed outside the agent's frames
        self._guest = bytearray()   # the guest's bytes not parsed yet
        self._snapshots = 0
        self._directory = tempfile.TemporaryDirectory(prefix="sandbox-")
        socket_path = str(Path(self._directory.name) / "control")
        make_vars = [f"CONTROL={socket_path}", f"APPEND={COMMAND_LINE}"]
        if memory:
            make_vars.append(f"GUEST_MEM={memory}")
        built = Stage(stage, kernel=kernel).build()
        # A sandbox lives as long as its user wants: no deadline of its own.
        self.machine = Machine(built.qemu_command(make_vars), cwd=built.dir,
                               timeout=365 * 24 * 3600, control=socket_path)
        try:
            self._agent_frame("R", time.monotonic() + boot_timeout)
            self.initial = self.snapshot()
        except BaseException:
            self.close()
            raise

    # ------------------------------------------------------------ commands

    def run(self, command, timeout=10):
        """Run a command line of the guest's shell; returns a
        CompletedCommand. One that outlives `timeout` seconds is killed,
        and TimeoutExpired raised: the sandbox stays usable."""
        deadline = time.monotonic() + timeout + GRACE
        self._agent_send("r", struct.pack("<I", int(timeout * 1000)) + command.encode())
        stdout, stderr = bytearray(), bytearray()
        while True:
            kind, payload = self._agent_frame("oextn", deadline, command)
            if kind == "o":
                stdout += payload
            elif kind == "e":
                stderr += payload
            elif kind == "x":
                status = struct.unpack("<i", payload)[0]
                return CompletedCommand(command, status, bytes(stdout), bytes(stderr))
            elif kind == "t":
                raise TimeoutExpired(command, timeout, bytes(stdout), bytes(stderr))
            else:
                raise SandboxError(f"the agent could not run {command!r}: {payload.decode()}")

    def write_file(self, path, data):
        """Write `data` (bytes) to the file `path` in the guest."""
        name = path.encode()
        self._agent_send("w", struct.pack("<H", len(name)) + name + bytes(data))
        kind, payload = self._agent_frame("kn", self._deadline(len(data)), f"write {path}")
        if kind == "n":
            raise _os_error(payload.decode(), path)

    def read_file(self, path):
        """The bytes of the file `path` in the guest."""
        self._agent_send("g", path.encode())
        data = bytearray()
        while True:
            kind, payload = self._agent_frame("fkn", self._deadline(len(data)), f"read {path}")
            if kind == "f":
                data += payload
            elif kind == "k":
                return bytes(data)
            else:
                raise _os_error(payload.decode(), path)

    # ------------------------------------------------------------ snapshots

    def snapshot(self):
        """Take a snapshot of the whole guest; it replaces the last one."""
        line = self._command("s", TAKEN)
        self._snapshots += 1
        return Snapshot(self._snapshots, line)

    def restore(self, snapshot, full=False):
        """Put the guest back as it was at `snapshot` (the latest one).
        Returns the hypervisor's line: how many pages it copied, how long
        it took."""
        if snapshot.number != self._snapshots:
            raise SandboxError("only the latest snapshot can be restored: the hypervisor keeps one")
        line = self._command("f" if full else "r", RESTORED)
        # What the guest printed before the restore belongs to the guest that is gone.
        self._guest.clear()
        return line

    # ------------------------------------------------------------ the end

    def close(self):
        """Power the machine off (it is killed if it does not go)."""
        machine = getattr(self, "machine", None)
        if machine is not None and machine.running:
            machine.kill()
        self._directory.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exception):
        self.close()

    # ------------------------------------------------------------ the wires

    def _command(self, key, answer):
        """A command for the hypervisor; its answer, which the guest cannot forge."""
        self._alive()
        self.machine.channel.send("C", key.encode())
        # Frames of the guest's that came before the answer stay queued, in
        # order: a restore drops them (they are the old guest's).
        dropped = "G" if key in "rf" else ""
        found = self.machine.channel.next("H", time.monotonic() + 30, drop_before=dropped)
        if found is None:
            self._died(f"no answer to the command {key!r}")
        line = found[1].decode()
        self.messages.append(line)
        if not answer.search(line):
            raise SandboxError(f"the hypervisor answered {line!r}")
        return line

    def _agent_send(self, kind, payload):
        """A request to the agent: as keys for the guest."""
        self._alive()
        frame = AGENT_MAGIC + kind.encode() + struct.pack("<I", len(payload)) + payload
        self.machine.channel.send("K", frame)

    def _agent_frame(self, kinds, deadline, doing="boot"):
        """The agent's next frame of one of `kinds`, from the guest's bytes."""
        while True:
            found = self._parse_agent_frame()
            if found is not None:
                if found[0] in kinds:
                    return found
                continue  # (an answer to a request given up on: not ours now)
            frame = self.machine.channel.next("GH", deadline)
            if frame is None:
                if not self.machine.running or self.machine.channel.ended:
                    self._died(f"while waiting for the agent ({doing})")
                raise TimeoutExpired(doing, max(0, deadline - time.monotonic()))
            kind, payload = frame
            if kind == "H":
                self.messages.append(payload.decode())
                if "the guest powered off" in payload.decode() or "stopped" in payload.decode():
                    self._died(payload.decode())
            else:
                self._guest += payload

    def _parse_agent_frame(self):
        start = self._guest.find(AGENT_MAGIC)
        if start < 0:
            keep = len(self._guest) - len(AGENT_MAGIC) + 1  # a magic may be arriving
            if keep > 0:
                self.console += self._guest[:keep]
                del self._guest[:keep]
            return None
        self.console += self._guest[:start]
        del self._guest[:start]
        if len(self._guest) < 9:
            return None
        length = struct.unpack_from("<I", self._guest, 5)[0]
        if len(self._guest) < 9 + length:
            return None
        kind = chr(self._guest[4])
        payload = bytes(self._guest[9:9 + length])
        del self._guest[:9 + length]
        return kind, payload

    def _deadline(self, size):
        return time.monotonic() + 30 + size / 100_000  # at least 100 kB/s

    def _alive(self):
        if not self.machine.running or self.machine.channel.ended:
            self._died("the machine has ended")

    def _died(self, why):
        last = self.messages[-1] if self.messages else "no word from the hypervisor"
        status = self.machine.settle()  # a guest that powered off: QEMU ends
        self.machine.kill()
        raise GuestDied(f"the guest is gone ({why}): {last}; QEMU's exit status "
                        f"{status if status is not None else 'none (killed)'}; its console ends "
                        f"with:\n{self.machine.output[-1500:]}")


def _os_error(message, path):
    code = {"No such file or directory": errno.ENOENT, "Permission denied": errno.EACCES,
            "Is a directory": errno.EISDIR, "Not a directory": errno.ENOTDIR}.get(message, errno.EIO)
    return OSError(code, message, path) if code != errno.ENOENT else FileNotFoundError(code, message, path)

