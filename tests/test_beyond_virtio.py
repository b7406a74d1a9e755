"""beyond/virtio: the guest's console is a virtio device: registers behind
an MMIO region, buffers in queues in the guest's RAM, an interrupt on the
PLIC of beyond/interrupts.

Linux runs its shell on /dev/hvc1 (the virtio console); a bare-metal guest
(tests/guests/virtio.cpp) drives the device, then breaks every rule of the
queue it can, and must find the device marked DEVICE_NEEDS_RESET each
time, never the hypervisor broken. final/'s own tests of booting, the
shell and hostile guests run on this stage too (test_final.py,
test_hostile_guests.py: the tests that name it in their `stage` parameter).
"""

import re

import pytest

from conftest import Stage, make
from test_final import Shell, exit_table
from test_hostile_guests import Guest, expect_powered_off

STAGE = "beyond/virtio"
BOOT_TIMEOUT = 60
VIRTIO_IRQ_LINE = re.compile(r"^ *\d+: +(\d+) +SiFive PLIC +1 .*virtio0$", re.MULTILINE)
COUNTS = re.compile(r"\[hypervisor\] virtio console: (\d+) kicks, (\d+) buffers of (\d+) bytes "
                    r"out, (\d+) of (\d+) bytes in")
NEEDS_RESET = "0x4f"  # ACKNOWLEDGE | DRIVER | FEATURES_OK | DRIVER_OK | DEVICE_NEEDS_RESET


def virtio_interrupts(shell):
    match = VIRTIO_IRQ_LINE.search(shell.run("cat /proc/interrupts"))
    assert match, "the virtio console has no interrupt on the PLIC"
    return int(match.group(1))


@pytest.mark.interactive
def test_the_shell_runs_on_the_virtio_console(qemu):
    machine = qemu.start(Stage(STAGE).build(), timeout=BOOT_TIMEOUT)
    shell = Shell(machine)
    assert shell.run("cat /proc/cmdline") == "console=hvc1 earlycon=sbi"
    before = virtio_interrupts(shell)
    assert shell.run("echo try catch continue") == "try catch continue"
    assert virtio_interrupts(shell) > before
    machine.send("poweroff\n")
    assert machine.wait_exit() == 0
    table = exit_table(machine.output)
    assert table["keys"] > 0, table
    # The keys went through the receive queue, none through the SBI console.
    assert re.search(r"debug console: \d+ writes of \d+ bytes, 0 reads of 0 bytes",
                     machine.output), machine.output
    kicks, buffers_out, bytes_out, buffers_in, bytes_in = map(int, COUNTS.search(machine.output).groups())
    assert buffers_out > 10 and bytes_out > 200 and bytes_in > 20, machine.output


@pytest.fixture(scope="module")
def built():
    make("-C", "tests/guests")
    Stage(STAGE, kernel=Guest("virtio").image).build()


def test_a_hostile_driver_gets_the_device_reset_never_the_hypervisor(qemu, built, tmp_path):
    image = Guest("virtio").with_arguments(tmp_path, "virtio-queue")
    run = qemu.run(Stage(STAGE, kernel=image), timeout=10)
    refusal = "[hypervisor] virtio console: {}: the device needs a reset"
    run.expect_lines(
        "virtio: magic 0x74726976, version 0x2, device 0x3, queue size max 0x80",
        "virtio: features 0x1 (high word)",  # VERSION_1, and nothing else
        "virtio: started, status 0xf",
        "virtio: this line went through the transmit queue",
        "virtio: used 1, length 0x0",
        refusal.format("a buffer outside guest RAM"),
        f"virtio: a buffer outside guest RAM -> status {NEEDS_RESET}, used 0",
        refusal.format("a buffer outside guest RAM"),
        f"virtio: a length past the end of RAM -> status {NEEDS_RESET}, used 0",
        refusal.format("a buffer outside guest RAM"),
        f"virtio: a length that wraps around -> status {NEEDS_RESET}, used 0",
        refusal.format("a chain whose next is outside the descriptor table"),
        f"virtio: a next outside the table -> status {NEEDS_RESET}, used 0",
        refusal.format("a chain that loops"),
        f"virtio: a chain that loops -> status {NEEDS_RESET}, used 0",
        refusal.format("an indirect descriptor (not offered)"),
        f"virtio: an indirect descriptor -> status {NEEDS_RESET}, used 0",
        refusal.format("a transmit buffer for the device to write"),
        f"virtio: a buffer for the device to write -> status {NEEDS_RESET}, used 0",
        refusal.format("a chain's head outside the descriptor table"),
        f"virtio: a head outside the table -> status {NEEDS_RESET}, used 0",
        # The ninth refusal is counted, and the console is spared the rest.
        "[hypervisor] more refusals of a virtio driver: counted, no longer printed",
        f"virtio: an index that runs ahead -> status {NEEDS_RESET}",
        f"virtio: a queue of 6 -> ready 0x0, status {NEEDS_RESET}",
        f"virtio: rings outside RAM -> status {NEEDS_RESET}",
        f"virtio: a misaligned table -> status {NEEDS_RESET}",
        "virtio: without VERSION_1 -> status 0x3",  # FEATURES_OK did not stick
        "virtio: queue 5 -> size max 0x0",
        "virtio: after a reset, status 0xf",
        "virtio: and the queue works again",
        "virtio: used 1",
    )
    assert "virt\n" not in run.output  # no refused buffer was printed, even in part
    expect_powered_off(run)


@pytest.mark.interactive
def test_keys_arrive_in_a_receive_buffer(qemu, built, tmp_path):
    image = Guest("virtio").with_arguments(tmp_path, "virtio-keys")
    machine = qemu.start(Stage(STAGE, kernel=image), timeout=10)
    machine.wait_for("virtio: waiting for keys")
    run = qemu.finish(machine, input="abc")
    run.expect_lines(re.compile(r"virtio: [1-3] keys in the receive buffer: (a|ab|abc), "
                                r"interrupt status 0x1"))
    expect_powered_off(run)


def test_the_stage_is_interrupts_plus_virtio():
    assert make("-s", "-C", STAGE, "parent").strip() == "beyond/interrupts"


def test_a_command_line_with_another_console_is_told_where_the_keys_go(qemu):
    # With APPEND="console=hvc0", Linux's shell would wait on the SBI
    # console for keys the virtio console takes: the hypervisor says so.
    machine = qemu.start(Stage(STAGE).build(), timeout=BOOT_TIMEOUT,
                         make_vars=["APPEND=console=hvc0 earlycon=sbi"])
    machine.wait_for("[hypervisor] note: keys go to the virtio console (console=hvc1) once its "
                     "driver starts; another console gets none")
    machine.wait_for("Entering the guest")
    machine.kill()
    assert "[hypervisor] note:" not in qemu.run(Stage(STAGE).build(), timeout=2).output
