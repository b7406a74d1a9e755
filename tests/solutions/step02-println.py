"""Checks of step02-println's exercise solutions (see tests/test_solutions.py)."""

from solutions import solution


@solution("step02-println", 1)
def binary_numbers(qemu, stage):
    run = qemu.run(stage.build())
    run.expect_lines(
        "padded [    42] [000042] [ab  ], braces {}",
        "binary 101 0b101 00000101 " + "1" * 64,
        "Shutting down.",
    )
    run.expect_absent()
    run.expect_exit(0)
