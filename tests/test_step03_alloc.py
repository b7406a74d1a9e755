"""Step 03: a bump allocator behind operator new, and a growable Vector."""

import re

import pytest

from conftest import Stage, run_host_test, stages_from


@pytest.mark.parametrize("stage", ["step03-alloc"])
def test_new_and_vector(qemu, stage):
    # The heap is the RAM between our image and the device tree, which
    # QEMU puts just below the top of RAM (-m 256M: 0x90000000).
    run = qemu.run(Stage(stage).build())
    _, heap, _, _, hypervisor, region, _, _ = run.expect_lines(
        "RAM: 0x80000000..0x90000000, 256 MiB",
        re.compile(r"heap: (0x[0-9a-f]+)\.\.(0x[0-9a-f]+), (\d+) KiB free"),
        re.compile(r"new int\(42\) -> 42 at 0x8[0-9a-f]{7}"),
        "Vector: 100 squares, sum 338350, last 10000",
        re.compile(r"  hypervisor 0x80200000\.\.(0x[0-9a-f]+)"),
        re.compile(r"  heap       (0x[0-9a-f]+)\.\.(0x[0-9a-f]+)"),
        re.compile(r"heap: \d+ bytes used"),
        "Shutting down.",
    )
    begin, end, kib = int(heap.group(1), 16), int(heap.group(2), 16), int(heap.group(3))
    assert begin == int(hypervisor.group(1), 16), "the heap starts where our image ends"
    assert 0x90000000 - (4 << 20) < end < 0x90000000, "and ends at the device tree"
    assert kib == (end - begin) // 1024
    assert (int(region.group(1), 16), int(region.group(2), 16)) == (begin, end)
    run.expect_absent()
    run.expect_exit(0)


@pytest.mark.parametrize("stage", ["step03-alloc"])
def test_out_of_memory_is_a_clear_panic(qemu, stage):
    run = qemu.run(Stage(stage, "oom", defines=["DEMO_OUT_OF_MEMORY"]).build())
    (match,) = run.expect_lines(re.compile(
        r"PANIC at src/alloc\.cpp:\d+: heap: out of memory: asked for 16777216 bytes "
        r"\(aligned to 16\), (\d+) bytes free"))
    assert int(match.group(1)) < 16 * 1024 * 1024
    run.expect_exit(1)


@pytest.mark.parametrize("stage", stages_from("step03-alloc"))
def test_memory_functions_on_the_host(stage, tmp_path):
    """mem.cpp's word-at-a-time loops, at every alignment and length."""
    run_host_test(stage, "mem_test", [], tmp_path)  # it includes mem.cpp itself
