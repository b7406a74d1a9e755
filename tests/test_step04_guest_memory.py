"""Step 04: guest RAM and an MMIO region, and the G-stage page table."""

import re

import pytest

from conftest import Stage, run_host_test, stages_from


@pytest.mark.parametrize("stage", ["step04-guest-memory"])
def test_region_map_and_translations(qemu, stage):
    run = qemu.run(Stage(stage).build())
    ram, _, hgatp = run.expect_lines(
        re.compile(r"  ram    0x80000000\.\.0x84000000 RAM  64 MiB at host (0x[0-9a-f]+)"),
        "  uart   0x10000000..0x10000100 MMIO unmapped: accesses exit",
        re.compile(r"G-stage page table: (\d+) tables, hgatp = (0x[0-9a-f]+)"),
    )
    host = int(ram.group(1), 16)
    assert host % (2 << 20) == 0, "guest RAM should be 2 MiB aligned in host memory"
    # 64 MiB of 4 KiB pages: 32 leaf tables, one middle table, the root.
    assert int(hgatp.group(1)) == 34
    assert int(hgatp.group(2), 16) >> 60 == 8, "hgatp mode should be Sv39x4"
    run.expect_lines(
        f"  guest 0x80000000 -> host {host:#010x} (ram)",
        f"  guest 0x80201234 -> host {host + 0x201234:#010x} (ram)",
        f"  guest 0x83ffffff -> host {host + 0x3ffffff:#010x} (ram)",
        "  guest 0x84000000 -> not mapped (no region)",
        "  guest 0x10000000 -> not mapped (uart)",
        "  guest 0x00000000 -> not mapped (no region)",
    )
    run.expect_absent()
    run.expect_exit(0)


@pytest.mark.parametrize("stage", stages_from("step04-guest-memory"))
def test_page_table_on_the_host(stage, tmp_path):
    """Build and walk G-stage tables on the host, where every path can be tried."""
    run_host_test(stage, "page_table_test", ["page_table.cpp"], tmp_path)
