"""Checks of step04-guest-memory's exercise solutions (see tests/test_solutions.py)."""

import re

from solutions import solution


@solution("step04-guest-memory", 1)
def ram_across_a_gigabyte_boundary(qemu, stage):
    # 0xbf000000..0xc3000000 spans two 1 GiB ranges: two middle tables, so
    # 32 leaf tables + 2 middle ones + the root.
    run = qemu.run(stage.build())
    run.expect_lines(
        re.compile(r"  ram    0xbf000000\.\.0xc3000000 RAM  64 MiB at host 0x[0-9a-f]+"),
        re.compile(r"G-stage page table: 35 tables, hgatp = 0x8[0-9a-f]{15}"),
    )
    run.expect_absent()
    run.expect_exit(0)


@solution("step04-guest-memory", 2)
def megapages(qemu, stage):
    # 2 MiB leaves in the middle table: only the root and that table remain,
    # and every translation is the same as with 4 KiB pages.
    run = qemu.run(stage.build())
    ram, _ = run.expect_lines(
        re.compile(r"  ram    0x80000000\.\.0x84000000 RAM  64 MiB at host (0x[0-9a-f]+)"),
        re.compile(r"G-stage page table: 2 tables, hgatp = 0x8[0-9a-f]{15}"),
    )
    host = int(ram.group(1), 16)
    run.expect_lines(
        f"  guest 0x80000000 -> host {host:#010x} (ram)",
        f"  guest 0x80201234 -> host {host + 0x201234:#010x} (ram)",
        f"  guest 0x83ffffff -> host {host + 0x3ffffff:#010x} (ram)",
        "  guest 0x84000000 -> not mapped (no region)",
        "  guest 0x10000000 -> not mapped (uart)",
    )
    run.expect_absent()
    run.expect_exit(0)
