"""Step 01: the hypervisor boots at 0x80200000, runs C++ main, powers off."""

import os
import struct
import subprocess

import pytest

from conftest import Stage, stages_from

CROSS_COMPILE = os.environ.get("CROSS_COMPILE", "riscv64-linux-gnu-")


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
    # never runs, QEMU never exits and the timeout fails the test. (What
    # OpenSBI prints before us differs from one version to the next.)
    run = qemu.run(Stage(stage).build())
    run.expect_exit(0)


@pytest.mark.parametrize("stage", ["step01-boot"])
def test_bss_is_cleared_even_when_ram_is_not_zero(qemu, stage, tmp_path):
    # QEMU zeroes RAM and loads .bss as zeroes from the ELF, so on its own
    # it would hide a boot.S that forgot to clear .bss. So boot a raw copy
    # of the image (no .bss in it) and put garbage where .bss will be, as
    # real RAM might hold: main must still find its variable zero.
    built = Stage(stage).build()
    raw = tmp_path / "hypervisor.bin"
    subprocess.run([f"{CROSS_COMPILE}objcopy", "-O", "binary", built.elf, raw], check=True)
    symbols = subprocess.run([f"{CROSS_COMPILE}nm", "-C", built.elf], check=True,
                             capture_output=True, text=True).stdout
    (address,) = [line.split()[0] for line in symbols.splitlines()
                  if line.endswith("zero_initialized")]
    command = built.qemu_command()
    command[command.index("-kernel") + 1] = str(raw)  # a raw image loads at 0x80200000 too
    command += ["-device", f"loader,addr=0x{address},data=0x5a5a5a5a,data-len=4"]
    run = qemu.run_command(command, cwd=built.dir, timeout=10)
    run.expect_exit(0)  # status 1 would mean main saw the garbage
