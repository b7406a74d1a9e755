"""Step 03: a bump allocator behind operator new, and a growable Vector."""

import re

import pytest

from conftest import Stage, run_host_test, stages_from


@pytest.mark.parametrize("stage", ["step03-alloc"])
def test_new_and_vector(qemu, stage):
    run = qemu.run(Stage(stage).build())
    run.expect_lines(
        re.compile(r"heap: \d+ KiB free"),
        re.compile(r"new int\(42\) -> 42 at 0x8[0-9a-f]{7}"),
        "Vector: 100 squares, sum 338350, last 10000",
        "  firmware   0x80000000..0x80200000",
        "  hypervisor 0x80200000..0x80400000",
        re.compile(r"heap: \d+ bytes used"),
        "Shutting down.",
    )
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
