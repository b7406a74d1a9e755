"""The checks of the exercises' solutions, one module per stage (see
tests/test_solutions.py). Each registers its checks with @solution."""

CHECKS = {}  # (stage, exercise number) -> check(qemu, Stage)
INTERACTIVE = set()  # the checks that type into a guest or depend on its timing


def solution(stage, number, interactive=False):
    """Register the check of a solution: it gets the qemu fixture and a
    Stage (not yet built), and asserts what the chapter promises.
    interactive=True: it types into the guest (see tests/conftest.py)."""
    def register(check):
        CHECKS[(stage, number)] = check
        if interactive:
            INTERACTIVE.add((stage, number))
        return check
    return register
