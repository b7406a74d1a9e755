"""sandbox/: the hypervisor as a library (sandbox/README.md).

The Linux sandbox on beyond/snapshot: commands, files, snapshots,
timeouts, a guest that dies, messages the guest tries to forge, and the
machine that must not outlive the Python process that started it.
"""

import re
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from conftest import REPO

sys.path.insert(0, str(REPO))
import sandbox  # noqa: E402

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
    listing = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True).stdout
    return [line for line in listing.splitlines() if "qemu-system" in line and program in line]


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
