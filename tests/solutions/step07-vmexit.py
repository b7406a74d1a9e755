"""Checks of step07-vmexit's exercises (see its README.md)."""

import re

from solutions import solution


def count(run, pattern):
    return int(run.expect_lines(re.compile(pattern))[0].group(1))


@solution("step07-vmexit", 1)
def sbi_calls_per_extension_with_the_sbi_early_console(qemu, stage):
    run = qemu.run(stage.build(), timeout=30)
    run.expect_lines(re.compile(r"\[ *[0-9.]+\] Linux version .*"), "[hypervisor] VM exits caught:")
    # One legacy putchar call per character, the Base calls of sbi_init
    # (11 for Linux 6.12, 8 for 6.1, both built with SMP), and no MMIO at all.
    assert count(run, r"\[hypervisor\]     extension 0x1: (\d+)") > 1000
    assert count(run, r"\[hypervisor\]     extension 0x10: (\d+)") in (8, 11)
    assert count(run, r"\[hypervisor\]   MMIO +(\d+)") == 0
    assert count(run, r"\[hypervisor\]   unhandled +(\d+)") == 1
    run.expect_exit(3)


@solution("step07-vmexit", 2)
def counts_how_each_access_was_decoded(qemu, stage):
    run = qemu.run(stage.build(), timeout=30)
    mmio = count(run, r"\[hypervisor\]   MMIO +(\d+)")
    htinst = count(run, r"\[hypervisor\]     htinst +(\d+)")
    hlvx = count(run, r"\[hypervisor\]     hlvx +(\d+)")
    assert mmio > 100
    # Each emulated access was decoded one way or the other: all from
    # htinst on QEMU 8 and later, all fetched with hlvx.hu on QEMU 7.2.
    assert htinst + hlvx == mmio
    assert 0 in (htinst, hlvx)
    run.expect_exit(3)
