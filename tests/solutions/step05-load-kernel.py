"""Checks of step05-load-kernel's exercises (see its README.md)."""

import re
import tempfile
from pathlib import Path

from conftest import LINUX_IMAGE, Stage
from solutions import solution


@solution("step05-load-kernel", 1)
def prints_the_guest_device_tree_read_back(qemu, stage):
    run = qemu.run(stage.build(), timeout=10)
    run.expect_lines(
        "The guest's device tree, read back:",
        "/",
        "  #address-cells (4 bytes)",
        "  chosen",
        "    bootargs (26 bytes)",  # "console=hvc0 earlycon=sbi" and its '\0'
        "  memory@80000000",
        "    reg (16 bytes)",
        "  cpus",
        "    timebase-frequency (4 bytes)",
        "    cpu@0",
        "      riscv,isa-base (6 bytes)",
        re.compile(r"      riscv,isa-extensions \(\d+ bytes\)"),
        "      interrupt-controller",
        "        interrupt-controller (0 bytes)",
        "  uart@10000000",
        "Kernel entry point: guest 0x80200000",
    )
    run.expect_absent()
    run.expect_exit(0)


def boot_with_image(qemu, stage, data):
    """Boot the stage with `data` as its kernel image file."""
    with tempfile.TemporaryDirectory() as directory:
        image = Path(directory) / "Image"
        image.write_bytes(data)
        return qemu.run(Stage(stage.name, directory=stage.dir, kernel=image).build(), timeout=10)


@solution("step05-load-kernel", 2)
def accepts_an_image_without_the_deprecated_magic(qemu, stage):
    stage.build()
    data = bytearray(LINUX_IMAGE.read_bytes())
    data[0x30:0x38] = bytes(8)  # magic: "RISCV\0\0\0" -> 0
    run = boot_with_image(qemu, stage, bytes(data))
    run.expect_lines(re.compile(r"Loaded it at guest 0x80200000\.\.0x[0-9a-f]+"), "Shutting down.")
    run.expect_absent()
    run.expect_exit(0)

    # magic2 still counts.
    data[0x38:0x3c] = b"XXXX"
    run = boot_with_image(qemu, stage, bytes(data))
    run.expect_lines(re.compile(r"PANIC at .*: cannot boot this kernel image: bad magic: .*"))
    run.expect_exit(1)
