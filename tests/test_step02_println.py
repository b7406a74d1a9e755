"""Step 02: println with formatted arguments, and PANIC."""

import re

import pytest

from conftest import Stage, run_host_test, stages_from


@pytest.mark.parametrize("stage", ["step02-println"])
def test_println_formats_numbers_strings_and_pointers(qemu, stage):
    run = qemu.run(Stage(stage).build())
    run.expect_lines(
        "Hello from the hypervisor!",
        re.compile(r"hart 0, device tree at 0x[0-9a-f]{8}"),
        "decimal 0 -42 1234567890123, hex ff 0xcafe 0x0000beef",
        "string 'riscv', char 'H', bool true, pointer 0x80200000",
        "padded [    42] [000042] [ab  ], braces {}",
        "Shutting down.",
    )
    run.expect_absent()
    run.expect_exit(0)


@pytest.mark.parametrize("stage", stages_from("step02-println"))
def test_every_stage_greets_first(qemu, stage):
    # The greeting is the first thing every stage prints; later stages may
    # stop early (a missing kernel), but never before saying hello. (Later
    # stages run on to a guest that may never end: stop there.)
    machine = qemu.start(Stage(stage).build())
    machine.wait_for("Hello from the hypervisor!")
    before = machine.output.split("Hello from the hypervisor!")[0]
    assert "PANIC" not in before and "[hypervisor]" not in before


@pytest.mark.parametrize("stage", ["step02-println"])
def test_panic_says_where_and_exits_nonzero(qemu, stage):
    run = qemu.run(Stage(stage, "panic", defines=["DEMO_PANIC"]).build())
    run.expect_lines("PANIC at src/main.cpp:19: demo panic, value 0xdead")
    assert "Shutting down." not in run.output
    run.expect_exit(1)


@pytest.mark.parametrize("stage", stages_from("step02-println"))
def test_formatter_on_the_host(stage, tmp_path):
    """The formatter is plain C++: compile it for the host and unit-test it."""
    run_host_test(stage, "format_test", ["format.cpp"], tmp_path)
