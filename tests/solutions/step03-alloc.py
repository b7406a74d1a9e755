"""Checks of step03-alloc's exercise solutions (see tests/test_solutions.py)."""

import re

from solutions import solution


@solution("step03-alloc", 1)
def vector_destroys_its_elements(qemu, stage):
    run = qemu.run(stage.build())
    run.expect_lines("Counted objects alive after their Vector: 0", "Shutting down.")
    run.expect_absent()
    run.expect_exit(0)


@solution("step03-alloc", 2)
def an_aligned_block_and_what_it_cost(qemu, stage):
    run = qemu.run(stage.build())
    heap, used, block = run.expect_lines(
        re.compile(r"heap: (0x[0-9a-f]+)\.\.0x[0-9a-f]+, \d+ KiB free"),
        re.compile(r"heap: (\d+) bytes used"),
        re.compile(r"16 KiB at (0x[0-9a-f]+), (\d+) bytes lost to alignment"),
    )
    # The block is the first 16 KiB boundary at or above the heap's first
    # free byte, and the loss is the gap between the two.
    next_free = int(heap.group(1), 16) + int(used.group(1))
    expected = (next_free + 0x3fff) & ~0x3fff
    assert int(block.group(1), 16) == expected
    assert int(block.group(2)) == expected - next_free
    run.expect_absent()
    run.expect_exit(0)
