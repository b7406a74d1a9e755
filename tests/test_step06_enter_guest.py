"""Step 06: enter the guest; its first VM exit is reported."""

import re
import struct

import pytest

from conftest import LINUX_IMAGE, Stage

KERNEL_VIRTUAL_BASE = 0xffffffff80000000  # where RV64 Linux maps its image
KERNEL_PHYSICAL_BASE = 0x80200000


@pytest.mark.parametrize("stage", ["step06-enter-guest"])
def test_the_first_vm_exit_is_reported(qemu, stage):
    built = Stage(stage).build()
    image_size = struct.unpack_from("<Q", LINUX_IMAGE.read_bytes(), 16)[0]
    run = qemu.run(built, timeout=20)
    _, exit_line, details, call = run.expect_lines(
        "Entering the guest at 0x80200000",
        re.compile(r"VM exit: ([A-Za-z -]+) \(scause (0x[0-9a-f]+)\)"),
        re.compile(r"  guest pc (0x[0-9a-f]+), stval (0x[0-9a-f]+), htval (0x[0-9a-f]+) "
                   r"\(guest physical (0x[0-9a-f]+)\), htinst (0x[0-9a-f]+)"),
        re.compile(r"  a hypervisor call: SBI extension (0x[0-9a-f]+), function (\d+)"),
    )
    # Linux's first exit is its first call to the firmware, which is us now:
    # 6.12 asks for the SBI version (BASE), 6.1 prints its first character
    # on the early console (legacy putchar).
    assert exit_line.group(1) == "ecall from VS-mode"
    assert int(exit_line.group(2), 16) == 10
    assert (int(call.group(1), 16), int(call.group(2))) in [(0x10, 0), (0x1, 0)]
    pc = int(details.group(1), 16)
    inside_virtual = 0 <= pc - KERNEL_VIRTUAL_BASE < image_size
    inside_physical = 0 <= pc - KERNEL_PHYSICAL_BASE < image_size
    assert inside_virtual or inside_physical, f"guest pc {pc:#x} is not inside the kernel"
    run.expect_lines("Shutting down.")
    run.expect_absent()
    run.expect_exit(0)
