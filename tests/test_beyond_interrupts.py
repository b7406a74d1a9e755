"""beyond/interrupts: the guest gets an interrupt controller (an emulated
PLIC) and its UART raises interrupts; the machine's UART interrupts the
hypervisor when a key arrives, whatever the guest is doing.

Linux runs its shell on ttyS0, the emulated UART, interrupt-driven; a
bare-metal guest (tests/guests/plic.cpp) checks the PLIC's registers and
an interrupt's whole trip. final/'s own tests of booting, the shell and
hostile guests run on this stage too (test_final.py, test_hostile_guests.py:
the tests that name it in their `stage` parameter).
"""

import re

import pytest

from conftest import Stage, make
from test_final import Shell, exit_table
from test_hostile_guests import Guest, expect_powered_off

STAGE = "beyond/interrupts"
BOOT_TIMEOUT = 60
UART_IRQ_LINE = re.compile(r"^ *(\d+): +(\d+) +SiFive PLIC +10 .*ttyS0$", re.MULTILINE)


def uart_interrupts(shell):
    """How many interrupts Linux has taken from ttyS0, its line on the PLIC."""
    match = UART_IRQ_LINE.search(shell.run("cat /proc/interrupts"))
    assert match, "ttyS0 has no interrupt on the PLIC"
    return int(match.group(2))


@pytest.mark.interactive
def test_the_shell_runs_on_an_interrupt_driven_uart(qemu):
    machine = qemu.start(Stage(STAGE).build(), timeout=BOOT_TIMEOUT)
    machine.wait_for("riscv-plic: plic@c000000: mapped 31 interrupts")
    shell = Shell(machine)
    assert shell.run("cat /proc/cmdline") == "console=ttyS0 earlycon=sbi"
    before = uart_interrupts(shell)
    assert shell.run("echo try catch continue") == "try catch continue"
    assert uart_interrupts(shell) > before
    machine.send("poweroff\n")
    assert machine.wait_exit() == 0
    table = exit_table(machine.output)
    assert table["keys"] > 0, table
    # Every key reached the shell through the UART, none through the SBI console.
    assert re.search(r"debug console: \d+ writes of \d+ bytes, 0 reads of 0 bytes",
                     machine.output), machine.output


@pytest.fixture(scope="module")
def built():
    make("-C", "tests/guests")
    Stage(STAGE, kernel=Guest("plic").image).build()


def test_the_plic_registers_and_an_interrupt_through_them(qemu, built, tmp_path):
    image = Guest("plic").with_arguments(tmp_path, "plic-registers")
    run = qemu.run(Stage(STAGE, kernel=image), timeout=10)
    run.expect_lines(
        "plic: priority 0xff -> 0x7",
        "plic: priority of source 0 -> 0x0",
        "plic: enable 0xffffffff -> 0xfffffffe",
        "plic: threshold 9 -> 0x1",
        "plic: claim with nothing pending -> 0x0",
        "plic: pending after completing unclaimed sources and writing it -> 0x0",
        "plic: another context's threshold -> 0x0, the last word -> 0x0",
        "plic: pending 0x400, at the threshold: not taken",
        "plic: below it: taken, claimed 0xa, IIR 0xc2",
        "plic: after completion, pending 0x0, claim -> 0x0",
    )
    expect_powered_off(run)


@pytest.mark.interactive
def test_a_key_arrives_by_interrupt(qemu, built, tmp_path):
    image = Guest("plic").with_arguments(tmp_path, "plic-key")
    machine = qemu.start(Stage(STAGE, kernel=image), timeout=10)
    machine.wait_for("plic: waiting for a key")
    run = qemu.finish(machine, input="a")
    run.expect_lines("plic: key 0x61 by interrupt, source 0xa, IIR 0xc4")
    assert exit_table(run.output)["keys"] >= 1
    expect_powered_off(run)


def test_the_stage_is_final_plus_interrupts():
    assert make("-s", "-C", STAGE, "parent").strip() == "final"
