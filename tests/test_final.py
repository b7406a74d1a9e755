"""final/: Linux boots to its userland under the hypervisor; a shell runs
commands typed on QEMU's stdin; poweroff ends the machine cleanly."""

import re

import pytest

from conftest import Stage, linux_version, run_host_test

STAGE = "final"  # `make test STEP=final` runs this file
# final/ and the stages that keep its behaviour: the tests that boot take
# their stage as a parameter.
KEEPERS = ["final", "beyond/snapshot", "beyond/interrupts", "beyond/virtio"]
# The kernel command line each stage gives Linux by default: the console
# it puts the shell on.
COMMAND_LINE = {"beyond/interrupts": "console=ttyS0 earlycon=sbi",
                "beyond/virtio": "console=hvc1 earlycon=sbi",
                "beyond/snapshot": "console=hvc1 earlycon=sbi"}


def default_command_line(stage):
    return COMMAND_LINE.get(stage, "console=hvc0 earlycon=sbi")
PROMPT = "guest$ "
BOOT_TIMEOUT = 60


class Shell:
    """Type commands into the guest's shell and collect what each printed."""

    def __init__(self, machine):
        self.machine = machine
        self.machine.wait_for("Welcome to the guest userland.")
        self.machine.wait_for(PROMPT)

    def run(self, command):
        start = len(self.machine.output)
        self.machine.send(command + "\n")
        self.machine.wait_for(PROMPT, since=start + len(command))
        text = self.machine.output[start:]
        # Drop the echoed command line and the next prompt.
        lines = [line.rstrip("\r") for line in text.split("\n")]
        return "\n".join(lines[1:-1])


def exit_table(output):
    """The hypervisor's table of VM exits, {kind: count}."""
    rows = re.findall(r"^\[hypervisor\]   ([A-Za-z ]+?) +(\d+)\r?$", output, re.MULTILINE)
    return {kind: int(count) for kind, count in rows}


def kernel_at_least(major, minor):
    return tuple(map(int, linux_version().split(".")[:2])) >= (major, minor)


def boot(qemu, qemu_args=(), make_vars=(), stage="final"):
    return qemu.start(Stage(stage).build(), timeout=BOOT_TIMEOUT, qemu_args=qemu_args,
                      make_vars=make_vars)


@pytest.mark.interactive
@pytest.mark.parametrize("stage", KEEPERS)
def test_boots_linux_to_an_interactive_shell(qemu, stage):
    machine = boot(qemu, stage=stage)
    shell = Shell(machine)

    version = re.escape(linux_version())
    assert re.fullmatch(rf"Linux \(none\) {version} #1 .* riscv64", shell.run("uname -a"))

    cpuinfo = shell.run("cat /proc/cpuinfo")
    assert re.search(r"^hart\s*: 0$", cpuinfo, re.MULTILINE), cpuinfo
    # What the device tree says: the base, FP, compressed, and Sstc's timer.
    assert re.search(r"^isa\s*: rv64imafdc\S*_sstc(_\S*)?$", cpuinfo, re.MULTILINE), cpuinfo

    assert shell.run("echo try   catch  continue") == "try catch continue"
    assert "MemTotal:" in shell.run("cat /proc/meminfo")
    assert shell.run("frobnicate") == "sh: frobnicate: unknown command (try 'help')"

    machine.send("poweroff\n")
    status = machine.wait_exit()
    output = machine.output
    assert "[hypervisor] the guest powered off" in output
    table = exit_table(output)
    assert table["SBI console"] > 10, table
    assert table["stopped"] == 0, table
    assert table["total"] == sum(v for k, v in table.items() if k != "total")
    if kernel_at_least(6, 8):  # Linux has used SBI 2.0's debug console since 6.8
        assert "SBI DBCN extension detected" in output
        writes, written = map(int, re.search(r"debug console: (\d+) writes of (\d+) bytes",
                                             output).groups())
        assert written > 10 * writes, "a whole buffer per call, not a character"
    assert "PANIC" not in output
    assert status == 0, f"QEMU exited with {status}"


@pytest.mark.interactive
@pytest.mark.parametrize("memory, top", [("256M", 0x90000000), ("1G", 0xc0000000)])
@pytest.mark.parametrize("stage", KEEPERS)
def test_boots_with_different_host_memory(qemu, memory, top, stage):
    machine = boot(qemu, qemu_args=["-m", memory], stage=stage)
    # QEMU puts its device tree just below the top of RAM: proof -m took effect.
    match = machine.wait_for(re.compile(r"device tree at (0x[0-9a-f]+)\r?\n"))
    assert top - (4 << 20) < int(match.group(1), 16) < top
    shell = Shell(machine)
    assert "MemTotal:" in shell.run("cat /proc/meminfo")
    machine.send("poweroff\n")
    assert machine.wait_exit() == 0



@pytest.mark.interactive
@pytest.mark.parametrize("stage", KEEPERS)
def test_append_replaces_the_guest_command_line(qemu, stage):
    # make run APPEND="..." gives QEMU -append, which the hypervisor passes on.
    append = default_command_line(stage) + " quiet"
    machine = boot(qemu, make_vars=[f"APPEND={append}"], stage=stage)
    shell = Shell(machine)
    assert shell.run("cat /proc/cmdline") == append
    assert "Calibrating delay loop" not in machine.output  # quiet took effect
    machine.send("poweroff\n")
    assert machine.wait_exit() == 0


@pytest.mark.interactive
@pytest.mark.parametrize("stage", KEEPERS)
def test_default_command_line(qemu, stage):
    machine = boot(qemu, stage=stage)
    assert Shell(machine).run("cat /proc/cmdline") == default_command_line(stage)


@pytest.mark.interactive
@pytest.mark.parametrize("stage", KEEPERS)
def test_an_idle_guest_takes_its_timer_without_exits(qemu, stage):
    # With Sstc in its device tree, Linux writes its deadlines to stimecmp
    # itself: the ticks of a sleeping shell cost no VM exit. `sleep`
    # returning shows the timer interrupts still arrive.
    machine = boot(qemu, stage=stage)
    shell = Shell(machine)
    assert shell.run("sleep 2000") == ""
    assert shell.run("echo awake") == "awake"
    machine.send("poweroff\n")
    assert machine.wait_exit() == 0
    table = exit_table(machine.output)
    assert table["SBI timer"] <= 2, table
    # final/'s own timer, twice a second (watchdog.hpp): over the whole run
    # (a boot, two seconds asleep, a few commands) a handful.
    assert 2 <= table["watchdog"] <= 20, table


@pytest.mark.interactive
@pytest.mark.parametrize("stage", KEEPERS)
def test_typed_lines_are_never_lost(qemu, stage):
    # Hundreds of lines, written to QEMU's stdin as fast as it takes them:
    # the shell must count every one, and every byte.
    machine = boot(qemu, stage=stage)
    shell = Shell(machine)
    lines = [f"line {i} " + "x" * (i % 10) for i in range(300)]
    start = len(machine.output)
    machine.send("readlines END\n")
    machine.wait_for(re.compile(r"readlines: reading up to END\r*\n"), since=start)  # not echoing
    machine.send("\n".join(lines) + "\nEND\n")
    match = machine.wait_for(re.compile(r"readlines: (\d+) lines, (\d+) bytes\r*\n"), since=start)
    assert (int(match.group(1)), int(match.group(2))) == (len(lines), sum(map(len, lines)))
    machine.wait_for(PROMPT, since=start + match.end())  # the shell is back
    assert shell.run("echo still here") == "still here"
    machine.send("poweroff\n")
    assert machine.wait_exit() == 0


@pytest.mark.interactive
@pytest.mark.parametrize("stage", KEEPERS)
def test_lines_typed_while_the_guest_is_busy_wait_their_turn(qemu, stage):
    # Typed ahead while the shell sleeps: more than any queue on the way
    # holds (the guest's terminal, the hypervisor's). They must wait, in
    # the UART and in QEMU, until the guest reads them: none dropped.
    if not kernel_at_least(6, 6):
        # Its terminal echoes what was typed ahead late, in the middle of
        # what readlines prints: the count is right, but cannot be read.
        pytest.skip("Linux 6.1 interleaves the echo of type-ahead with the output")
    machine = boot(qemu, stage=stage)
    Shell(machine)
    lines = [f"line {i} " + "x" * (i % 10) for i in range(1000)]
    start = len(machine.output)
    machine.send("sleep 1000\nreadlines END\n" + "\n".join(lines) + "\nEND\n")
    match = machine.wait_for(re.compile(r"readlines: (\d+) lines, (\d+) bytes\r*\n"), since=start)
    assert (int(match.group(1)), int(match.group(2))) == (len(lines), sum(map(len, lines)))
    machine.wait_for(PROMPT, since=start + match.end())
    machine.send("poweroff\n")
    assert machine.wait_exit() == 0
    assert "keys dropped" not in machine.output


@pytest.mark.interactive
@pytest.mark.parametrize("stage", KEEPERS)
def test_guest_ram_is_chosen_when_qemu_starts(qemu, stage):
    # GUEST_MEM=256M: -append 'mem=256M --', and QEMU's RAM grows to hold it.
    machine = boot(qemu, make_vars=["GUEST_MEM=256M"], stage=stage)
    machine.wait_for(re.compile(r"  ram    0x80000000\.\.0x90000000 RAM  256 MiB at host 0x[0-9a-f]+\n"))
    machine.wait_for("Device tree for the guest: ")
    meminfo = Shell(machine).run("cat /proc/meminfo")
    total = int(re.search(r"MemTotal: +(\d+) kB", meminfo).group(1))
    assert 240 << 10 < total <= 256 << 10, meminfo
    assert Shell(machine).run("cat /proc/cmdline") == default_command_line(stage)
    machine.send("poweroff\n")
    assert machine.wait_exit() == 0


@pytest.mark.parametrize("append, message", [
    ("mem=12Q --", "-append: 'mem=12Q': mem= wants a size, such as 64M or 1G"),
    ("speed=9 -- quiet", "-append: 'speed=9': unknown option ({options})"),
    ("mem=17M --", "mem=17825792: guest RAM must be a multiple of 2 MiB, at least 16 MiB"),
])
@pytest.mark.parametrize("stage", KEEPERS)
def test_bad_options_are_refused(qemu, append, message, stage):
    # The snapshot stage has one option more: control (its controller's channel).
    options = ("they are mem=SIZE and control" if stage == "beyond/snapshot"
               else "the only one is mem=SIZE")
    message = message.format(options=options)
    run = qemu.run(Stage(stage).build(), qemu_args=["-append", append])
    run.expect_lines(re.compile(rf"PANIC at src/main\.cpp:\d+: {re.escape(message)}"))
    run.expect_exit(1)


@pytest.mark.parametrize("stage", KEEPERS)
def test_guest_ram_that_does_not_fit_is_refused(qemu, stage):
    run = qemu.run(Stage(stage).build(), qemu_args=["-m", "256M", "-append", "mem=512M --"])
    run.expect_lines(re.compile(r"PANIC at src/guest_memory\.cpp:\d+: guest RAM of 512 MiB does "
                                r"not fit in the \d+ MiB of host RAM left: give QEMU more memory \(-m\)"))
    run.expect_exit(1)


def test_options_on_the_host(tmp_path):
    run_host_test("final", "options_test", ["options.cpp"], tmp_path)
