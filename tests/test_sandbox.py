"""sandbox/: the hypervisor as a library (sandbox/README.md).

The Linux sandbox on beyond/snapshot: commands, files, snapshots,
timeouts, a guest that dies, messages the guest tries to forge, and the
machine that must not outlive the Python process that started it.
"""

import os
import re
import signal
import struct
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from conftest import REPO

sys.path.insert(0, str(REPO))
import sandbox  # noqa: E402
from sandbox import programs  # noqa: E402

pytestmark = pytest.mark.interactive  # every test here types into a guest
STAGE = "beyond/snapshot"
FORGED_LINES = (b"[snapshot] restored pages=1 us=1 copy=dirty\n"
                b"[hypervisor] the guest powered off\n")


@pytest.fixture
def fresh():
    """A sandbox of its own for each test: it boots in well under a second."""
    with sandbox.Linux() as vm:
        yield vm


def test_the_readme_example_runs_as_written():
    with sandbox.Linux(memory="256M") as vm:   # boots once
        r = vm.run("echo hi")                   # returncode, stdout, stderr
        assert (r.returncode, r.stdout, r.stderr) == (0, b"hi\n", b"")
        data = b"hello, sandbox\n"
        vm.write_file("/x", data)               # bytes
        assert vm.read_file("/x") == data
        snap = vm.snapshot()
        vm.run("write /x changed")
        assert vm.read_file("/x") == b"changed\n"
        vm.restore(snap)                        # the guest as it was
        assert vm.read_file("/x") == data
        meminfo = vm.run("cat /proc/meminfo").stdout.decode()
        assert 240 << 10 < int(re.search(r"MemTotal: +(\d+) kB", meminfo).group(1)) <= 256 << 10


def test_output_error_and_status_come_apart(fresh):
    r = fresh.run("cat /nope")
    assert (r.returncode, r.stdout, r.stderr) == (1, b"", b"cat: /nope: No such file or directory\n")
    r = fresh.run("run hello try catch")
    assert r.returncode == 2  # hello's status: its number of arguments
    assert r.stdout.startswith(b"Hello, world! I am hello, with 2 arguments.\n")


def test_every_byte_value_both_ways(fresh):
    data = bytes(range(256)) * 64
    fresh.write_file("/bytes", data)
    assert fresh.read_file("/bytes") == data
    assert fresh.run("cat /bytes").stdout == data


def test_a_restore_puts_files_back(fresh):
    snap = fresh.snapshot()
    fresh.run("write /trace left by an attempt")
    assert fresh.run("cat /trace").stdout == b"left by an attempt\n"
    line = fresh.restore(snap)
    assert re.fullmatch(r"\[snapshot\] restored pages=\d+ us=\d+ copy=dirty", line)
    assert fresh.run("cat /trace").returncode == 1


def reading_late(machine, call, seconds=2):
    """call() while the library reads nothing from `machine`'s channel for
    `seconds`: its reader thread waits for the lock we hold, so the socket
    fills up, and QEMU must wait for us rather than drop what it cannot
    send (as its virtconsole does: the channel is a virtserialport)."""
    result = {}
    def calling():
        result["value"] = call()
    with machine.channel._changed:
        thread = threading.Thread(target=calling, daemon=True)
        thread.start()
        time.sleep(seconds)
    thread.join(timeout=120)
    return result["value"]


def test_a_library_that_reads_late_loses_nothing(fresh):
    data = os.urandom(1 << 20)
    fresh.write_file("/late", data)
    assert reading_late(fresh.machine, lambda: fresh.read_file("/late")) == data


def test_a_guest_that_stops_reading_cannot_hold_back_a_restore(fresh):
    # The agent runs a command, and reads no keys meanwhile: as a guest
    # that never reads again would. Keys sent now fill the hypervisor's
    # queue; after a second without a read it drops them, so that the
    # restore behind them still gets through.
    fresh._agent_send("r", struct.pack("<I", 60_000) + b"sleep 30000")
    sending = threading.Thread(target=fresh.machine.channel.send, args=("K", b"x" * (4 << 20)),
                               daemon=True)
    sending.start()
    sending.join(timeout=20)
    assert not sending.is_alive(), "the keys are still waiting: the channel is stuck behind them"
    fresh.restore(fresh.initial)
    assert fresh.run("echo back").stdout == b"back\n"


def test_only_the_latest_snapshot_can_be_restored(fresh):
    older = fresh.snapshot()
    fresh.snapshot()
    with pytest.raises(sandbox.SandboxError, match="only the latest snapshot"):
        fresh.restore(older)


def test_a_command_that_spins_is_stopped_and_the_sandbox_goes_on(fresh):
    start = time.monotonic()
    with pytest.raises(sandbox.TimeoutExpired) as stopped:
        fresh.run("spin", timeout=1)
    assert stopped.value.stdout == b"spin: spinning\n"
    assert time.monotonic() - start < 1 + sandbox.linux.GRACE
    assert fresh.run("echo still here").stdout == b"still here\n"


def test_messages_the_guest_forges_are_only_data(fresh):
    # The guest prints copies of the hypervisor's lines, of its frames (an
    # 'H' with its length) and of the agent's, in a command's output and
    # straight to its console: all of it arrives as the guest's bytes.
    fake_h = b"H" + len(FORGED_LINES).to_bytes(4, "little") + FORGED_LINES
    fake_agent = sandbox.linux.AGENT_MAGIC + b"x" + (4).to_bytes(4, "little") + b"\x07\0\0\0"
    payload = FORGED_LINES + fake_h + fake_agent + bytes(range(256))
    fresh.write_file("/forged", payload)
    before = list(fresh.messages)
    r = fresh.run("cat /forged")
    assert (r.returncode, r.stdout) == (0, payload)
    # Straight to the console, where the agent's frames go too:
    fresh.run("write /dev/console [snapshot] restored pages=1 us=1 copy=dirty")
    fresh.run("write /dev/console [hypervisor] the guest powered off")
    assert fresh.messages == before        # no line the hypervisor did not say
    assert b"[hypervisor] the guest powered off" in fresh.console  # but the guest's, as data
    assert fresh.run("echo the sandbox carries on").stdout == b"the sandbox carries on\n"


def test_a_guest_that_powers_off_is_reported_dead():
    with sandbox.Linux() as vm:
        with pytest.raises(sandbox.GuestDied, match="the guest powered off"):
            vm.run("poweroff")
        with pytest.raises(sandbox.GuestDied):
            vm.run("echo hi")


def qemu_with_socket_of(program):
    """The QEMU processes a Python program started (found by their
    control socket, which names the program's temporary directory)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):  # not ps: a minimal Debian has none
        try:
            args = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # the process ended while we looked
            continue
        if "qemu-system" in args and program in args:
            found.append(f"{cmdline.parent.name} {args}")
    return found


@pytest.mark.parametrize("ending", ["returns", "raises", "is killed"])
def test_no_machine_outlives_its_python_process(tmp_path, ending):
    script = tmp_path / "user.py"
    script.write_text(textwrap.dedent(f"""
        import os, sys, tempfile
        sys.path.insert(0, {str(REPO)!r})
        tempfile.tempdir = {str(tmp_path)!r}
        import sandbox
        vm = sandbox.Linux()
        print("ready", flush=True)
        sys.stdin.readline()  # the test has seen QEMU running
        if {ending!r} == "raises":
            raise RuntimeError("the user's program fails")
        if {ending!r} == "is killed":
            import time
            time.sleep(60)
    """))
    process = subprocess.Popen([sys.executable, str(script)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout.readline() == "ready\n"
    assert qemu_with_socket_of(str(tmp_path)), "the sandbox's QEMU is not running"
    if ending == "is killed":
        process.send_signal(signal.SIGKILL)
    else:
        process.stdin.write("go on\n")
        process.stdin.flush()
    process.wait(timeout=30)
    deadline = time.monotonic() + 5
    while qemu_with_socket_of(str(tmp_path)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not qemu_with_socket_of(str(tmp_path)), f"QEMU outlived a Python process that {ending}"


# ---------------------------------------------------------------- programs with no kernel

PROGRAM_CC = os.environ.get("PROGRAM_CC", "riscv64-linux-gnu-gcc")


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    """tests/programs/probe.c, built as a static program."""
    binary = tmp_path_factory.mktemp("probe") / "probe"
    subprocess.run([PROGRAM_CC, "-static", "-O2", "-Wall", "-Wextra", "-Werror", "-o", binary,
                    REPO / "tests" / "programs" / "probe.c"], check=True)
    return str(binary)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """beyond/syscall-emulation/tests/hostile.c: programs that misbehave."""
    binary = tmp_path_factory.mktemp("hostile") / "hostile"
    subprocess.run([PROGRAM_CC, "-static", "-O2", "-Wall", "-Wextra", "-Werror", "-o", binary,
                    REPO / "beyond" / "syscall-emulation" / "tests" / "hostile.c"], check=True)
    return str(binary)


def test_the_readme_program_example_runs_as_written(tmp_path):
    directory = tmp_path / "dir"
    directory.mkdir()
    (directory / "notes.txt").write_text("try catch continue\n")
    r = sandbox.run(["hello", "a", "b"], input=b"...", files=str(directory), timeout=5,
                    memory="64M")
    assert (r.returncode, r.stderr) == (2, b"")  # hello's status: its number of arguments
    assert r.stdout == b'Hello, world! I am hello, with 2 arguments.\n  argv[1] = "a"\n  argv[2] = "b"\n'
    r = sandbox.run(["files", "/notes.txt"], files=str(directory))
    assert b"  | try catch continue\n" in r.stdout


def test_every_byte_value_out_and_in_apart(probe):
    r = sandbox.run([probe, "bytes", "64"])
    assert (r.returncode, r.stdout, r.stderr) == (0, bytes(range(256)) * 64, b"to stderr")
    data = os.urandom(1 << 20)
    assert sandbox.run([probe, "echo"], input=data).stdout == data
    assert sandbox.run([probe, "arguments with spaces", "and ünicode"]).returncode == 100


def test_a_program_cannot_forge_our_frames_or_lines(probe):
    forged = (b"X\x04\x00\x00\x00\x00\x00\x00\x00W\x00\x00\x00\x00"  # 'X' status 0, 'W'
              b"H\x0c\x00\x00\x00refused: no\n[hypervisor] the program exited with status 0\n")
    r = sandbox.run([probe, "echo"], input=forged * 100)
    assert (r.returncode, r.stdout, r.stderr) == (0, forged * 100, b"")
    assert sandbox.run([probe, "exit", "3"]).returncode == 3  # and nothing was left in the wire


def test_a_program_run_read_late_loses_nothing(probe):
    sandbox.run([probe, "exit", "0"])  # its machine, warm
    machine = programs._machines[(None, 10)]
    r = reading_late(machine, lambda: sandbox.run([probe, "bytes", "16384"]))  # 4 MiB
    assert (r.returncode, r.stdout, r.stderr) == (0, bytes(range(256)) * 16384, b"to stderr")


def test_statuses_and_signals(probe):
    assert sandbox.run([probe, "exit", "42"]).returncode == 42
    assert sandbox.run([probe, "exit", "0"]).returncode == 0
    r = sandbox.run(["lines"], input=b"one\ntwo\n")
    assert (r.returncode, r.stdout.splitlines()[-1]) == (0, b"2 lines, 2 words, 8 bytes")


def test_a_killed_program_says_nothing_of_ours_in_its_output(hostile):
    for action, signal_number in (("jump-null", 11), ("abort", 6), ("ebreak", 5)):
        r = sandbox.run([hostile, action])
        assert r.returncode == -signal_number, (action, r)
        assert b"[hypervisor]" not in r.stdout + r.stderr


def test_cpu_time_and_wall_clock_limits_apart(hostile, probe):
    r = sandbox.run([hostile, "loop"], cpu_time=1)
    assert r.returncode == -24  # SIGXCPU: its CPU time is up
    start = time.monotonic()
    with pytest.raises(sandbox.TimeoutExpired):
        sandbox.run([hostile, "loop"], timeout=1)
    assert time.monotonic() - start < 5
    assert sandbox.run([probe, "exit", "7"]).returncode == 7  # and the next one runs


def test_a_failure_of_ours_is_an_exception_not_a_status(tmp_path):
    foreign = tmp_path / "true"
    foreign.write_bytes(open("/bin/true", "rb").read())  # built for the host, not RISC-V
    with pytest.raises(sandbox.SandboxError, match="built for another machine than RISC-V"):
        sandbox.run([str(foreign)])
    with pytest.raises(FileNotFoundError):
        sandbox.run(["no-such-program"])


def test_nothing_of_one_program_is_left_to_the_next(probe):
    first = sandbox.run([probe, "clean"]).stdout
    assert first.startswith(b"clean, "), first
    assert sandbox.run([probe, "dirty"]).stdout == b"dirty\n"
    assert sandbox.run([probe, "clean"]).stdout == first  # same heap, same mapping, nothing left


def test_code_kept_for_the_next_run_is_the_file_s(probe):
    # The program's read-only segments stay between two runs of it (QEMU
    # keeps its translations): unless a run could have changed them.
    for what in ("page", "segment"):
        assert sandbox.run([probe, "motto"]).stdout == b"try catch continue\n"
        assert sandbox.run([probe, "patch", what]).stdout == b"Try catch continue\n"
        assert sandbox.run([probe, "motto"]).stdout == b"try catch continue\n", what


def test_the_command_line_is_a_plain_command():
    result = subprocess.run([sys.executable, "-m", "sandbox", "run", "lines"], cwd=REPO,
                            input=b"one two\nthree\n", capture_output=True, timeout=60)
    assert (result.returncode, result.stderr) == (0, b"")
    assert result.stdout == (b"1: 7 bytes, reversed: owt eno\n2: 5 bytes, reversed: eerht\n"
                             b"2 lines, 3 words, 14 bytes\n")
    result = subprocess.run([sys.executable, "-m", "sandbox", "run", "hello", "x"], cwd=REPO,
                            capture_output=True, timeout=60)
    assert result.returncode == 1 and result.stdout.startswith(b"Hello, world!")


# ---------------------------------------------------------------- the example

@pytest.mark.parametrize("restoring", [True, False], ids=["restored", "without-restore"])
def test_the_agent_loop_finds_its_answer_only_with_restores(restoring):
    example = REPO / "sandbox" / "examples" / "agent_loop.py"
    result = subprocess.run([sys.executable, str(example)] + ([] if restoring else ["--without-restore"]),
                            capture_output=True, text=True, timeout=120)
    assert result.stderr == ""
    assert " timed out: spin\n" in result.stdout  # it hung, and the next attempt went on
    assert re.search(r"^Agent attempts per second: \d+\.\d ", result.stdout, re.M), result.stdout
    if restoring:
        assert result.returncode == 0 and "    solved: write /answer 42\n" in result.stdout
        assert result.stdout.count("    solved:") == 1  # and nothing else passed for it
    else:  # /input was spoiled by an earlier attempt: the right command fails
        assert result.returncode == 1 and "The answer: none found" in result.stdout
