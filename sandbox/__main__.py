"""The sandbox library's command line, for people.

    python3 -m sandbox run PROG [ARG...]   a static riscv64 Linux program with
                                           no kernel, as qemu-riscv64 PROG ARG...
                                           runs it: standard input, output and
                                           error and the exit status pass
                                           through, with nothing of ours
    python3 -m sandbox linux               the Linux sandbox's shell (make run
                                           STEP=beyond/snapshot): Ctrl-] s, r, f, i
    python3 -m sandbox programs            the shipped programs' names

The program's standard input is read to its end first, and delivered
whole (a terminal's: until Ctrl-D). Killed by signal N, the status is
128 + N, as a shell says.
"""

import subprocess
import sys

from . import BuildError, MachineError, SandboxError, Stage, TimeoutExpired, run, shipped

USAGE = __doc__.split("\n\n")[1]


def main(argv):
    if len(argv) >= 2 and argv[0] == "run":
        data = sys.stdin.buffer.read()
        try:
            result = run(argv[1:], input=data)
        except (SandboxError, TimeoutExpired, FileNotFoundError, BuildError, MachineError) as error:
            print(f"sandbox: {error}", file=sys.stderr)
            return 125  # ours, as env(1) and docker use it: not the program's
        sys.stdout.buffer.write(result.stdout)
        sys.stdout.buffer.flush()
        sys.stderr.buffer.write(result.stderr)
        sys.stderr.buffer.flush()
        return result.returncode if result.returncode >= 0 else 128 - result.returncode
    if argv == ["linux"]:
        stage = Stage("beyond/snapshot").build()
        return subprocess.run(stage.qemu_command(), cwd=stage.dir).returncode
    if argv == ["programs"]:
        print("\n".join(shipped()))
        return 0
    print(USAGE, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
