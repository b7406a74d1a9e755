"""Checks of step01-boot's exercise solutions (see tests/test_solutions.py)."""

import re

from solutions import solution

# OpenSBI's own memory, which PMP keeps from us (its banner's Domain0 Region01).
OPENSBI = range(0x80000000, 0x80080000)


@solution("step01-boot", 1)
def no_stack_of_our_own(qemu, stage):
    # Without `la sp`, sp still points into OpenSBI's memory: the first store
    # to the stack is a store access fault there, and the machine never
    # powers off. QEMU's -d int shows the fault (its log goes to stderr,
    # which the harness reads with the console).
    machine = qemu.start(stage.build(), timeout=10, qemu_args=["-d", "int"])
    fault = machine.wait_for(re.compile(
        r"cause:0+7, epc:0x0*8020[0-9a-f]{4}, tval:0x0*([0-9a-f]+), desc=fault_store\n"))
    machine.kill()
    address = int(fault.group(1), 16)
    assert address in OPENSBI, f"the store faulted at {address:#x}, not in OpenSBI's memory"


@solution("step01-boot", 2)
def fail_with_status_3(qemu, stage):
    run = qemu.run(stage.build())
    run.expect_exit(3)
