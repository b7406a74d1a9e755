"""beyond/snapshot: the hypervisor takes a snapshot of the whole guest and
puts it back, copying only the pages written since.

Linux as a sandbox: the first snapshot is taken at the shell's prompt; a
controller types Ctrl-] r and the guest is back as it was (a file it wrote
is gone), however busy it is. Bare-metal guests (tests/guests/snapshot.cpp)
use the hypercall interface to check that every register, CSR, device
register and page comes back, and try what a hostile guest would.

Which of final/'s behaviours this stage keeps, test_final.py and
test_hostile_guests.py say: their tests that name it in a `stage` parameter.
"""

import re

import pytest

from conftest import REPO, Stage, make, run_host_test
from test_final import PROMPT, Shell, exit_table
from test_hostile_guests import Guest, expect_powered_off

STAGE = "beyond/snapshot"
BOOT_TIMEOUT = 60
GUEST_TIMEOUT = 20
ROUNDS = 20
CTRL = "\x1d"  # Ctrl-]

TAKEN = re.compile(r"\[snapshot\] taken pages=(\d+) copied=(\d+) us=(\d+)\r?\n")
RESTORED = re.compile(r"\[snapshot\] restored pages=(\d+) us=(\d+) copy=(dirty|full)\r?\n")
STATUS = re.compile(r"\[snapshot\] status (?:pages=(\d+) dirty=(\d+) restores=(\d+) age_ms=(\d+)"
                    r"|none)\r?\n")
VERIFIED = re.compile(r"\[snapshot\] verified pages=(\d+) differing=(\d+).*\r?\n")
# The same, as whole lines for Run.expect_lines.
TAKEN_LINE = re.compile(TAKEN.pattern.removesuffix(r"\r?\n"))
RESTORED_LINE = re.compile(RESTORED.pattern.removesuffix(r"\r?\n"))
RAM_PAGES = 64 << 20 >> 12  # the default 64 MiB of guest RAM
VERIFY = ("SNAPSHOT_VERIFY",)


def linux(qemu, defines=(), make_vars=()):
    """Boot Linux on the stage; return the machine once the first snapshot
    (taken by itself at the shell's prompt) is reported, and the shell."""
    variant = "verify" if defines else "default"
    stage = Stage(STAGE, variant=variant, defines=defines).build()
    machine = qemu.start(stage, timeout=BOOT_TIMEOUT, make_vars=make_vars)
    shell = Shell(machine)
    machine.wait_for(TAKEN)
    return machine, shell


def command(machine, key, pattern):
    """Type Ctrl-] and `key`; the controller's answer, matched."""
    start = len(machine.output)
    machine.send(CTRL + key)
    return machine.wait_for(pattern, since=start)


def power_off(machine):
    machine.send("poweroff\n")
    assert machine.wait_exit() == 0
    assert "PANIC" not in machine.output
    return exit_table(machine.output)


# ---------------------------------------------------------------- Linux

@pytest.mark.interactive
def test_the_first_snapshot_is_taken_at_the_prompt(qemu):
    machine, shell = linux(qemu)
    taken = TAKEN.search(machine.output)
    # After the shell started, and just before its prompt, held back until
    # the snapshot was taken: a controller that sees the prompt can reset.
    assert taken.start() > machine.output.index("Welcome to the guest userland.")
    assert machine.output[taken.end():].startswith(PROMPT)
    assert (int(taken.group(1)), int(taken.group(2))) == (RAM_PAGES, RAM_PAGES), \
        "the first snapshot copies all of guest RAM"
    assert machine.output.count("[snapshot] taken") == 1
    status = command(machine, "i", STATUS)
    assert int(status.group(1)) == RAM_PAGES and int(status.group(3)) == 0, status.group(0)
    assert shell.run("echo ready") == "ready"
    power_off(machine)


@pytest.mark.interactive
def test_a_linux_sandbox_is_reset_twenty_times(qemu):
    # What a sandbox controller does after each of an agent's attempts: the
    # guest leaves a trace, Ctrl-] r, the trace is gone, the guest answers.
    machine, shell = linux(qemu)
    restored = []
    for round in range(ROUNDS):
        assert shell.run(f"write /attempt round-{round}") == ""
        assert shell.run("cat /attempt") == f"round-{round}"
        match = command(machine, "r", RESTORED)
        restored.append(int(match.group(1)))
        assert match.group(3) == "dirty"
        assert shell.run("cat /attempt") == "cat: /attempt: No such file or directory"
        assert re.fullmatch(r"Linux \(none\) \S+ #1 .* riscv64", shell.run("uname -a"))
    # A few hundred pages at most: the point of logging them.
    assert all(0 < pages < RAM_PAGES // 20 for pages in restored), restored
    table = power_off(machine)
    assert table["dirty page"] >= sum(restored) // 2, table
    assert table["total"] == sum(v for k, v in table.items() if k != "total")


@pytest.mark.interactive
def test_a_spinning_program_is_restored(qemu):
    # `spin` is a user program that never reads its input. Linux does not
    # stop for it: its timer tick preempts the program, and its console
    # poll (a debug-console read every few tens of milliseconds) goes on,
    # each one a VM exit at which the hypervisor reads the Ctrl-] r.
    machine, shell = linux(qemu)
    assert shell.run("write /trace spun") == ""
    start = len(machine.output)
    machine.send("spin\n")
    machine.wait_for("spin: spinning", since=start)
    # Keys after Ctrl-] r reach the restored guest, not the spinning one.
    start = len(machine.output)
    machine.send(CTRL + "r" + "echo back\n")
    machine.wait_for(RESTORED, since=start)
    machine.wait_for(re.compile(r"\nback\r?\n"), since=start)
    machine.wait_for(PROMPT, since=start)
    assert shell.run("cat /trace") == "cat: /trace: No such file or directory"
    power_off(machine)


@pytest.mark.interactive
def test_a_restore_in_the_middle_of_typing_loses_and_doubles_no_key(qemu):
    # Lines stream in; Ctrl-] r comes in the middle of them. The keys before
    # it went to the guest that is gone (its queue and buffers with it);
    # those after it reach the restored guest, at its prompt, each once.
    machine, shell = linux(qemu)
    before = [f"old {i} " + "x" * (i % 17) for i in range(200)]
    after = [f"new {i} " + "y" * (i % 13) for i in range(300)]
    start = len(machine.output)
    machine.send("readlines END\n" + "\n".join(before) + "\n" + CTRL + "r" + "readlines END\n" +
                 "\n".join(after) + "\nEND\n")
    machine.wait_for(RESTORED, since=start)
    match = machine.wait_for(re.compile(r"readlines: (\d+) lines, (\d+) bytes\r?\n"), since=start)
    assert (int(match.group(1)), int(match.group(2))) == (len(after), sum(map(len, after)))
    machine.wait_for(PROMPT, since=start + match.end())
    assert shell.run("echo after the restore") == "after the restore"
    power_off(machine)


@pytest.mark.interactive
def test_dirty_restores_leave_ram_as_the_full_copy(qemu):
    # The debug build compares all of guest RAM with the snapshot's copy
    # after each snapshot and restore: a page the dirty log missed differs.
    machine, shell = linux(qemu, defines=VERIFY)

    def checked(key, pattern):
        start = len(machine.output)
        answer = command(machine, key, pattern)
        verified = machine.wait_for(VERIFIED, since=start)
        assert verified.groups() == (str(RAM_PAGES), "0"), verified.group(0)
        return answer

    machine.wait_for(VERIFIED)  # after the first snapshot
    for commands in (["write /a 1", "ls /"], ["run nothing"], ["sleep 300", "cat /proc/meminfo"]):
        for line in commands:
            shell.run(line)
        checked("r", RESTORED)
    full = checked("f", RESTORED)
    assert (int(full.group(1)), full.group(3)) == (RAM_PAGES, "full")
    shell.run("write /b 2")
    checked("s", TAKEN)
    shell.run("echo after the second snapshot")
    checked("r", RESTORED)
    assert shell.run("cat /b") == "2"  # the second snapshot's state
    power_off(machine)


@pytest.mark.interactive
def test_more_guest_ram_and_the_snapshot_with_it(qemu):
    # GUEST_MEM=256M: QEMU's RAM is sized for guest RAM and its copy.
    machine, shell = linux(qemu, make_vars=["GUEST_MEM=256M"])
    assert int(TAKEN.search(machine.output).group(1)) == 256 << 20 >> 12
    assert shell.run("write /x y") == ""
    assert int(command(machine, "r", RESTORED).group(1)) < 2000
    assert shell.run("cat /x") == "cat: /x: No such file or directory"
    power_off(machine)


def test_no_room_for_the_snapshot_is_refused(qemu):
    # 128 MiB of RAM hold the firmware, us and 64 MiB of guest RAM, not its copy.
    make("-C", "tests/guests")
    run = qemu.run(Stage(STAGE, kernel=Guest("snapshot").image).build(), qemu_args=["-m", "128M"])
    run.expect_lines(re.compile(r"PANIC at src/snapshot\.cpp:\d+: no room for a snapshot of guest "
                                r"RAM \(64 MiB\) in the \d+ MiB of host RAM left: give QEMU more "
                                r"memory \(-m\)"))
    assert "Entering the guest" not in run.output
    run.expect_exit(1)


# ---------------------------------------------------------------- bare-metal guests

@pytest.fixture(scope="module")
def built():
    make("-C", "tests/guests")
    Stage(STAGE, kernel=Guest("snapshot").image).build()
    Stage(STAGE, variant="verify", defines=VERIFY, kernel=Guest("snapshot").image).build()


def guest(qemu, tmp_path, action, verify=False, input=None, timeout=GUEST_TIMEOUT):
    image = Guest("snapshot").with_arguments(tmp_path, action)
    stage = Stage(STAGE, variant="verify" if verify else "default",
                  defines=VERIFY if verify else (), kernel=image)
    return qemu.run(stage, timeout=timeout, input=input)


@pytest.mark.parametrize("verify", [False, True], ids=["plain", "verify"])
def test_every_register_csr_device_and_page_comes_back(qemu, built, tmp_path, verify):
    run = guest(qemu, tmp_path, "scribble", verify=verify)
    run.expect_lines(TAKEN_LINE, RESTORED_LINE,
                     "scribble: integer and FP registers, CSRs, pending interrupts, the clock, "
                     "the UART, RAM and code: all as they were")
    if verify:
        assert VERIFIED.findall(run.output + "\n") == [(str(RAM_PAGES), "0")] * 2
    expect_powered_off(run)


@pytest.mark.interactive
def test_pages_the_hypervisor_writes_are_logged_too(qemu, built, tmp_path):
    # SBI console_read stores typed keys into the guest's page: our store,
    # not the guest's, so no fault logs it; the hypervisor must.
    image = Guest("snapshot").with_arguments(tmp_path, "console-read")
    machine = qemu.start(Stage(STAGE, kernel=image), timeout=GUEST_TIMEOUT)
    machine.wait_for("console-read: type a line")
    run = qemu.finish(machine, input="typed into the page\n")
    run.expect_lines("console-read: read 20 keys into the page; restoring", RESTORED_LINE,
                     "console-read: the page is as it was before the keys")
    expect_powered_off(run)


def test_calls_without_a_snapshot_and_a_second_snapshot(qemu, built, tmp_path):
    run = guest(qemu, tmp_path, "calls")
    run.expect_lines(
        "calls: without a snapshot: restore -> -10, dirty pages -> -10, restores -> -10",
        "calls: function 4 -> -2, function -1 -> -2",
        "calls: probe_extension -> 1",
        re.compile(rf"\[snapshot\] taken pages={RAM_PAGES} copied={RAM_PAGES} us=\d+"),
        "calls: take -> 0, value 0",
        # The second replaces the first, copying only what changed since.
        re.compile(r"\[snapshot\] taken pages=\d+ copied=([1-9]|\d\d) us=\d+"),
        "calls: take again -> 0, value 0",
        RESTORED_LINE,
        "calls: resumed in the second take, marker 2, restores 1",
    )
    expect_powered_off(run)


def test_a_restore_in_a_loop(qemu, built, tmp_path):
    run = guest(qemu, tmp_path, "restore-loop")
    run.expect_lines(
        "[hypervisor] more snapshot hypercalls: counted, no longer printed",
        "restore-loop: resumed 100 times from one snapshot; each time, the page was back")
    # The guest cannot flood the console with our answers.
    assert len(RESTORED.findall(run.output + "\n")) < 10
    expect_powered_off(run)


def test_a_guest_that_writes_every_page_between_restores(qemu, built, tmp_path):
    run = guest(qemu, tmp_path, "write-all", timeout=40)
    rounds = run.expect_lines(*[re.compile(rf"write-all: round {n}: wrote (\d+) pages, dirty "
                                           r"pages (\d+)") for n in range(3)])
    run.expect_lines(re.compile(r"write-all: 3 rounds; after each restore, all \d+ pages were back"))
    for match in rounds:
        written, dirty = int(match.group(1)), int(match.group(2))
        assert written > RAM_PAGES * 9 // 10 and dirty >= written, match.group(0)
    # One exit per page and round: the first store to each.
    assert exit_table(run.output)["dirty page"] >= 3 * int(rounds[0].group(1))
    expect_powered_off(run)


def test_user_programs_cannot_reach_the_hypercall(qemu, built, tmp_path):
    # An ecall from the guest's user mode goes to the guest's own kernel
    # (hedeleg): a program in a sandbox cannot take or restore anything.
    run = guest(qemu, tmp_path, "user-ecall")
    run.expect_lines("user-ecall: our kernel got it: scause 8, a7 0xa004856",
                     "user-ecall: restores -> -10 (no snapshot was taken)")
    assert "[snapshot]" not in run.output
    expect_powered_off(run)


@pytest.mark.interactive
def test_console_commands(qemu, built, tmp_path):
    image = Guest("snapshot").with_arguments(tmp_path, "keys")
    machine = qemu.start(Stage(STAGE, kernel=image), timeout=GUEST_TIMEOUT)
    machine.wait_for("keys: reading")
    assert command(machine, "i", STATUS).group(0).startswith("[snapshot] status none")
    command(machine, "r", re.compile(r"\[snapshot\] refused reason=no-snapshot\r?\n"))
    command(machine, "x", re.compile(r"\[snapshot\] refused reason=unknown-command key=0x78\r?\n"))
    # Ctrl-] twice: one Ctrl-] for the guest.
    start = len(machine.output)
    machine.send("a" + CTRL + CTRL + "b")
    machine.wait_for(re.compile(r"keys: got 0x61\r?\nkeys: got 0x1d\r?\nkeys: got 0x62\r?\n"),
                     since=start)
    taken = command(machine, "s", TAKEN)
    assert int(taken.group(2)) == RAM_PAGES
    status = command(machine, "i", STATUS)
    assert int(status.group(1)) == RAM_PAGES and int(status.group(3)) == 0
    # Keys typed before Ctrl-] r go with the guest they reached; those after
    # reach the restored one, which had read 3 keys when the snapshot was taken.
    start = len(machine.output)
    machine.send("xyz")
    machine.wait_for("keys: got 0x7a", since=start)
    run = qemu.finish(machine, input=CTRL + "rq")
    run.expect_lines(RESTORED_LINE, "keys: q after 3 other keys")
    expect_powered_off(run)


@pytest.mark.interactive
def test_a_guest_that_makes_no_exit_is_reached_by_the_watchdog(qemu, built, tmp_path):
    # A guest kernel spinning with its interrupts off makes no VM exit at
    # all: only our own timer (watchdog.hpp) takes the CPU back, twice a
    # second, and at each of its exits the hypervisor reads the console.
    image = Guest("stuck").with_arguments(tmp_path, "spin")
    machine = qemu.start(Stage(STAGE, kernel=image), timeout=GUEST_TIMEOUT)
    machine.wait_for("stuck: about to spin with interrupts off")
    assert command(machine, "i", STATUS).group(0).startswith("[snapshot] status none")
    taken = command(machine, "s", TAKEN)
    assert int(taken.group(1)) == RAM_PAGES
    restored = command(machine, "r", RESTORED)
    assert restored.group(3) == "dirty"
    assert "PANIC" not in machine.output


# ---------------------------------------------------------------- host

def test_page_table_leaf_on_the_host(tmp_path):
    run_host_test(STAGE, "snapshot_page_table_test", ["page_table.cpp"], tmp_path)


def test_the_stage_is_virtio_plus_the_snapshot():
    # `make diff STEP=beyond/snapshot` compares with its parent.
    out = make("-s", "-C", STAGE, "parent")
    assert out.strip() == "beyond/virtio"
    assert (REPO / STAGE / "src" / "snapshot.cpp").exists()
