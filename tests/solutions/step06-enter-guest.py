"""Checks of step06-enter-guest's exercises (see its README.md)."""

import re

from solutions import solution


@solution("step06-enter-guest", 1)
def without_user_the_first_instruction_faults(qemu, stage):
    run = qemu.run(stage.build(), timeout=20)
    run.expect_lines(
        "Entering the guest at 0x80200000",
        "VM exit: instruction guest-page fault (scause 0x14)",
        "  guest pc 0x80200000, stval 0x80200000, htval 0x20080000 (guest physical 0x80200000), "
        "htinst 0x0",
        "Shutting down.",
    )
    run.expect_absent()
    run.expect_exit(0)


@solution("step06-enter-guest", 2)
def the_second_exit_prints_a_character(qemu, stage):
    run = qemu.run(stage.build(), timeout=20)
    run.expect_lines(
        "Entering the guest at 0x80200000",
        "VM exit: ecall from VS-mode (scause 0xa)",
        # The second entry, after the ecall, and the second exit: Linux's
        # legacy console call.
        re.compile(r"Entering the guest again at 0x[0-9a-f]+"),
        "VM exit: ecall from VS-mode (scause 0xa)",
        re.compile(r"  guest pc 0x[0-9a-f]+, .*"),
        "  a hypervisor call: SBI extension 0x1, function 0",
        re.compile(r"  legacy console putchar of '.'"),
        "Shutting down.",
    )
    # Linux's log starts with "[": 6.12 prints it at its second exit; 6.1
    # calls putchar first, so "[" is its first exit and " " its second.
    assert "  legacy console putchar of '['" in run.lines
    run.expect_absent()
    run.expect_exit(0)
