"""Step 01: the hypervisor boots at 0x80200000, runs C++ main, powers off."""

import struct

import pytest

from conftest import Stage, stages_from


def elf_entry_point(path):
    """e_entry of a 64-bit little-endian ELF file, read from its header."""
    header = path.read_bytes()[:64]
    assert header[:4] == b"\x7fELF", f"{path} is not an ELF file"
    return struct.unpack_from("<Q", header, 24)[0]


@pytest.mark.parametrize("stage", stages_from("step01-boot"))
def test_entry_point_is_where_opensbi_jumps(stage):
    elf = Stage(stage).build().elf
    assert elf_entry_point(elf) == 0x80200000


@pytest.mark.parametrize("stage", ["step01-boot"])
def test_main_runs_and_powers_off(qemu, stage):
    # main exits through SBI (status 0) only if .bss is zero and the stack
    # works; otherwise through the test device with status 1 or 2. If it
    # never runs, QEMU never exits and the timeout fails the test.
    run = qemu.run(Stage(stage).build())
    run.expect_lines("Domain0 Next Address      : 0x0000000080200000")
    run.expect_exit(0)
