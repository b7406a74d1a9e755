"""The checks of the exercises' solutions, one module per stage (see
tests/test_solutions.py). Each registers its checks with @solution."""

CHECKS = {}  # (stage, exercise number) -> check(qemu, Stage)


def solution(stage, number):
    """Register the check of a solution: it gets the qemu fixture and a
    Stage (not yet built), and asserts what the chapter promises."""
    def register(check):
        CHECKS[(stage, number)] = check
        return check
    return register
