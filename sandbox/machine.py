"""One QEMU, driven from Python: the one way this repository runs a
machine (the library, the tests and the benchmarks all use it).

A Machine starts QEMU in a process group of its own, reads everything it
prints on its console (QEMU's stdio: the UART) in a thread, keeps it with
the time each piece arrived, types into it, and waits for text, for its
end, or for a deadline. It is killed, with everything it started, when
the deadline passes, when kill() or close() is called, when the Python
process exits, and also when the Python process is killed (the kernel
sends QEMU SIGKILL then: PR_SET_PDEATHSIG).

With a control channel (a Unix socket QEMU waits on, see
beyond/snapshot/src/control.hpp), it also reads the hypervisor's frames.
"""

import atexit
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import threading
import time
import weakref

DEFAULT_TIMEOUT = 20  # seconds a machine may live, unless told otherwise

# A terminal ends lines with \r\n, and OpenSBI's console puts a \r before
# every \n it passes on: a guest's line can end \r\r\n.
LINE_END = re.compile(r"\r+\n")

_running = weakref.WeakSet()  # killed at exit


# setpriv (util-linux) sets PR_SET_PDEATHSIG, then runs QEMU: the kernel
# kills QEMU when the Python process dies, even of a SIGKILL that no
# atexit handler sees. Without it, atexit still applies.
_SETPRIV = shutil.which("setpriv")
_DIE_WITH_US = [_SETPRIV, "--pdeathsig", "KILL", "--"] if _SETPRIV else []


@atexit.register
def _kill_all():
    for machine in list(_running):
        machine.kill()


class MachineError(AssertionError):
    """The machine did not do what we waited for (an AssertionError, so
    that a test using it fails as an assertion would)."""


class Machine:
    """A running QEMU: its console, its control channel, its end."""

    def __init__(self, command, cwd=None, timeout=DEFAULT_TIMEOUT, control=None, on_send=None):
        self.command = list(command)
        self.timeout = timeout
        self.started = time.monotonic()
        self.deadline = self.started + timeout
        self.timed_out = False
        self.on_send = on_send  # called at each send (the tests' bookkeeping)
        self._chunks = []       # what the console printed, piece by piece
        self._arrivals = []     # (bytes so far, seconds since the start) per piece
        self._ended = False
        self._changed = threading.Condition()
        self.process = subprocess.Popen(
            _DIE_WITH_US + self.command, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True)
        _running.add(self)
        self._reader = threading.Thread(target=self._read_console, daemon=True)
        self._reader.start()
        self.channel = None
        if control:
            try:
                self.channel = Channel(control, self)
            except BaseException:
                self.kill()
                raise

    # ------------------------------------------------------------ the console

    def _read_console(self):
        total = 0
        while True:
            data = self.process.stdout.read1(65536)
            with self._changed:
                if not data:
                    self._ended = True
                    self._changed.notify_all()
                    return
                total += len(data)
                self._chunks.append(data)
                self._arrivals.append((total, time.monotonic() - self.started))
                self._changed.notify_all()

    @property
    def raw_output(self):
        with self._changed:
            return b"".join(self._chunks)

    @property
    def output(self):
        """All the console printed so far, as text, lines ending in \\n."""
        return LINE_END.sub("\n", self.raw_output.decode("utf-8", errors="replace"))

    def arrived(self, offset):
        """Seconds from the start to when the console's byte `offset` came."""
        with self._changed:
            return next(t for end, t in self._arrivals if end > offset)

    def remaining(self):
        return self.deadline - time.monotonic()

    def wait_for(self, pattern, since=0):
        """Wait until the console's text (from offset `since`) holds
        `pattern`, a string or a compiled regex; return the match. Output
        arrives in pieces: end a regex with \\n so it cannot match half a line."""
        regex = pattern if isinstance(pattern, re.Pattern) else re.compile(re.escape(pattern))
        with self._changed:
            while True:
                match = regex.search(self.output[since:])
                if match:
                    return match
                if self._ended:
                    raise MachineError(f"QEMU exited before printing {pattern!r}")
                if self.remaining() <= 0:
                    self.timed_out = True
                    self.kill()
                    raise MachineError(f"timed out after {self.timeout}s waiting for {pattern!r}")
                self._changed.wait(timeout=min(self.remaining(), 1.0))

    def send(self, text):
        """Type `text` (a str or bytes) on the console."""
        if self.on_send:
            self.on_send()
        self.process.stdin.write(text.encode() if isinstance(text, str) else text)
        self.process.stdin.flush()

    # ------------------------------------------------------------ the end

    @property
    def running(self):
        return self.process.poll() is None

    def wait_exit(self):
        """Wait for QEMU to exit by itself; at the deadline, kill it and
        return None. Returns its exit status."""
        try:
            self.process.wait(timeout=max(self.remaining(), 0))
        except subprocess.TimeoutExpired:
            self.timed_out = True
            self.kill()
            return None
        self._reader.join(timeout=5)
        return self.process.returncode

    def settle(self, seconds=2):
        """A machine whose channel ended is ending: give QEMU `seconds` to
        exit and its console's last bytes (a panic's reason) to arrive.
        Returns its exit status, or None if it is still running."""
        try:
            status = self.process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            return None
        self._reader.join(timeout=seconds)
        return status

    def kill(self):
        """End QEMU and anything it started: the whole process group."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.wait()
        self._reader.join(timeout=5)
        if self.channel:
            self.channel.close()
        _running.discard(self)

    close = kill

    def __enter__(self):
        return self

    def __exit__(self, *exception):
        self.kill()


class Channel:
    """The control channel's client end (beyond/snapshot/src/control.hpp):
    frames of a kind byte, a little-endian 32-bit length and a payload."""

    def __init__(self, path, machine):
        self.machine = machine
        self.frames = []  # (kind, payload) not taken yet
        self._changed = threading.Condition()
        self._ended = False
        self.socket = self._connect(path)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _connect(self, path):
        # QEMU creates the socket, then waits for us before it runs the machine.
        while True:
            if not self.machine.running:
                self.machine.settle()  # its last words: why
                raise MachineError(f"QEMU exited before opening its control channel:\n"
                                   f"{self.machine.output[-2000:]}")
            if self.machine.remaining() <= 0:
                raise MachineError("QEMU did not open its control channel in time")
            try:
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                sock.connect(path)
                return sock
            except (FileNotFoundError, ConnectionRefusedError):
                sock.close()
                time.sleep(0.005)

    def _read(self):
        buffer = bytearray()
        while True:
            try:
                data = self.socket.recv(1 << 20)
            except OSError:
                data = b""
            with self._changed:
                if not data:
                    self._ended = True
                    self._changed.notify_all()
                    return
                buffer += data
                while len(buffer) >= 5:
                    length = struct.unpack_from("<I", buffer, 1)[0]
                    if len(buffer) < 5 + length:
                        break
                    self.frames.append((chr(buffer[0]), bytes(buffer[5:5 + length])))
                    del buffer[:5 + length]
                self._changed.notify_all()

    def send(self, kind, payload=b""):
        if self.machine.on_send:
            self.machine.on_send()
        try:
            self.socket.sendall(kind.encode() + struct.pack("<I", len(payload)) + payload)
        except OSError as error:
            raise MachineError(f"the control channel is closed ({error})") from None

    def next(self, kinds, deadline, drop_before=""):
        """The next frame of one of `kinds`; earlier frames of other kinds
        are left for other callers, but those of `drop_before` are dropped.
        None at `deadline` (monotonic), or when the channel ends."""
        with self._changed:
            while True:
                for i, (kind, payload) in enumerate(self.frames):
                    if kind in kinds:
                        self.frames = [f for f in self.frames[:i] if f[0] not in drop_before] + \
                            self.frames[i + 1:]
                        return kind, payload
                if self._ended or time.monotonic() >= deadline:
                    return None
                self._changed.wait(timeout=max(0.0, min(deadline - time.monotonic(), 1.0)))

    @property
    def ended(self):
        return self._ended

    def close(self):
        try:
            self.socket.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.socket.close()
        self._reader.join(timeout=5)
