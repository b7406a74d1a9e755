"""An agent loop, scripted: no model, a list of candidate commands for a
small task, each tried in a Linux sandbox restored to the same snapshot.

    python3 sandbox/examples/agent_loop.py                   (from the repository's top)
    python3 sandbox/examples/agent_loop.py --without-restore

The task: make /answer hold the line "42", and leave /input as it was.
An agent trying things out breaks things: one candidate writes the right
words into the wrong file, one never ends. With a restore before each
attempt, every attempt starts from the same guest, and the check after
an attempt judges that attempt alone. --without-restore shows the other
way: the right command comes after /input was spoiled, and fails.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository's top
import sandbox  # noqa: E402

INPUT = b"the numbers: 6 7\n"
CANDIDATES = [
    "write /answer 41",                 # wrong
    "write /input 42",                  # right words, wrong file: spoils /input
    "cat /answer",                      # looks, changes nothing: /answer does not exist
    "spin",                             # never ends: stopped by its timeout
    "write /answer 42",                 # right
    "write /answer 42 and more",        # close, wrong
]
ATTEMPT_TIMEOUT = 1  # seconds a candidate may run


def solved(vm):
    """The task's check, run in the sandbox after an attempt."""
    try:
        return vm.read_file("/answer") == b"42\n" and vm.read_file("/input") == INPUT
    except FileNotFoundError:
        return False


def attempt(vm, start, command):
    """One attempt from `start` (None: from wherever the last one left
    the guest): restore, run, check. Returns what happened."""
    if start is not None:
        vm.restore(start)
    try:
        vm.run(command, timeout=ATTEMPT_TIMEOUT)
    except sandbox.TimeoutExpired:
        return "timed out"
    return "solved" if solved(vm) else "not solved"


def main(argv):
    restoring = "--without-restore" not in argv
    with sandbox.Linux() as vm:
        vm.write_file("/input", INPUT)
        start = vm.snapshot() if restoring else None  # every attempt starts here
        began = time.monotonic()
        results = [(command, attempt(vm, start, command)) for command in CANDIDATES]
        seconds = time.monotonic() - began
    for command, result in results:
        print(f"{result:>10}: {command}")
    print(f"Agent attempts per second: {len(results) / seconds:.1f} "
          f"({len(results)} attempts in {seconds:.2f} s, one of them timed out)")
    winners = [command for command, result in results if result == "solved"]
    print(f"The answer: {winners[0] if winners else 'none found'}")
    return 0 if winners == ["write /answer 42"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
