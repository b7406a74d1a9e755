#!/usr/bin/env python3
"""What does it cost to run a program with no guest kernel? Two figures,
each the median of --runs runs, on the QEMU the stages' Makefiles use
(QEMU=... in the environment or on make's command line picks another):

    scripts/bench_syscalls.py [--runs N] [--timeout SECONDS] [--calls N]

prints, on its standard output, exactly

    Program start to exit (ms): hello under syscall-emulation X, hello in Linux under final Y
    System call round trip (us): syscall-emulation X, Linux guest Y

and, on its standard error, the QEMU it used and each run's figures.

1. Program start to exit: the shipped hello (beyond/syscall-emulation/
   programs/hello.c, no arguments) is run two ways.

     syscall-emulation  `make -C beyond/syscall-emulation run PROG=hello`.
                        The figure is the hypervisor's own line, "it ran X
                        ms, from its first instruction to its end": read
                        from the `time` CSR just before it first enters the
                        program and again after the program's exit_group.
     Linux under final  final/ boots Linux; when the shell's prompt
                        appears, `run hello` is typed (the guest's /bin
                        holds the same hello). The figure is the time
                        from the moment final/'s line "Entering the guest
                        at ..." reaches this script to the moment the
                        shell's "exit status 0" (printed once its wait4
                        saw hello exit) reaches it: host-side clocks, a
                        millisecond or so of pipe and console delay at
                        each end. It holds the whole Linux boot, the
                        console's polling of the typed line, and the fork,
                        execve and run of hello.

2. System call round trip: `getpid` called --calls times in a row, timed
   with clock_gettime(CLOCK_MONOTONIC) around the loop by the caller
   itself, and divided.

     syscall-emulation  the stage's programs/getpid.c (`run PROG=getpid
                        ARGS=N`): each call is a VM exit that the
                        hypervisor answers;
     Linux guest        the guest shell's `getpid N` builtin, in the same
                        boot as 1.: each call traps into the guest's own
                        kernel, and no VM exit is involved.

Every QEMU runs in its own process group with a time limit (--timeout),
after which the whole group is killed.
"""

import argparse
import re
import statistics
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ left in scripts/ or sandbox/
import benchlib  # noqa: E402  (scripts/benchlib.py: stages and QEMU, through sandbox/)
from benchlib import RunFailed, Stage, finish, running  # noqa: E402

STAGE = "beyond/syscall-emulation"
RAN = re.compile(r"\[hypervisor\] it ran (\d+\.\d+) ms, from its first instruction to its end")
PER_CALL = re.compile(r"getpid: (\d+) calls, (\d+) ns each\n")
ENTERING = "Entering the guest at "
BANNER = "Welcome to the guest userland."
PROMPT = "guest$ "
HELLO_EXITED = re.compile(r"exit status (\d+)\n")


def run_stage(stage, program, args, timeout):
    """Run one program under the stage to its end; returns its output."""
    with running(stage.qemu_command([f"PROG={program}", f"ARGS={args}", "QUIET="]),
                 stage.dir, timeout, what=f"{program} under {STAGE}") as machine:
        machine.process.stdin.close()  # the program reads no input: it gets an end of file
        return finish(machine)


def stage_hello(stage, timeout):
    """Milliseconds from the first entry into hello to its exit, as the hypervisor says."""
    output = run_stage(stage, "hello", "", timeout)
    found = RAN.search(output)
    if not found:
        raise RunFailed("hello under the stage: no 'it ran ... ms' line", output)
    return float(found.group(1))


def stage_getpid(stage, calls, timeout):
    """Microseconds per getpid, as programs/getpid.c times them."""
    output = run_stage(stage, "getpid", str(calls), timeout)
    found = PER_CALL.search(output)
    if not found:
        raise RunFailed("getpid under the stage: no 'getpid: N calls, X ns each' line", output)
    return int(found.group(2)) / 1000


def linux(final, calls, timeout):
    """One Linux boot under final/: `run hello` at the first prompt, then
    `getpid N`, then poweroff. Returns (ms from entry to hello's exit,
    us per getpid)."""
    with running(final.qemu_command(), final.dir, timeout, what="Linux under final") as machine:
        machine.wait_for(ENTERING)
        entered = time.monotonic()
        machine.wait_for(PROMPT, since=machine.wait_for(BANNER).end())
        start = len(machine.output)
        machine.send("run hello\n")
        found = machine.wait_for(HELLO_EXITED, since=start)
        exited = time.monotonic()
        if found.group(1) != "0":
            raise RunFailed(f"hello exited with status {found.group(1)}")
        start = len(machine.output)
        machine.send(f"getpid {calls}\n")
        per_call = machine.wait_for(PER_CALL, since=start)
        machine.wait_for(PROMPT, since=start + per_call.end())
        machine.send("poweroff\n")
        finish(machine)
    return (exited - entered) * 1000, int(per_call.group(2)) / 1000


def say(text):
    print(text, file=sys.stderr, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="runs of each (default 5)")
    parser.add_argument("--timeout", type=float, default=60,
                        help="seconds one QEMU run may take before it is killed (default 60)")
    parser.add_argument("--calls", type=int, default=100_000,
                        help="getpid calls per timing (default 100000)")
    args = parser.parse_args()
    if args.runs < 1 or args.calls < 1:
        parser.error("--runs and --calls must be at least 1")

    stage = Stage(STAGE).build()
    final = Stage("final").build()  # and the guest kernel, if it is not cached
    say(f"bench_syscalls: {benchlib.qemu_version(stage.qemu_command()[0])}; {args.runs} run"
        f"{'s' * (args.runs != 1)}, {args.calls} getpid calls each")

    figures = {"hello": [], "linux hello": [], "getpid": [], "linux getpid": []}
    for run in range(1, args.runs + 1):
        try:
            figures["hello"].append(stage_hello(stage, args.timeout))
            figures["getpid"].append(stage_getpid(stage, args.calls, args.timeout))
            linux_hello, linux_getpid = linux(final, args.calls, args.timeout)
        except RunFailed as failure:
            say(f"bench_syscalls: run {run}: {failure}. The last lines:")
            say(failure.last_lines())
            return 1
        figures["linux hello"].append(linux_hello)
        figures["linux getpid"].append(linux_getpid)
        say(f"  run {run}: hello {figures['hello'][-1]:.3f} ms, in Linux {linux_hello:.0f} ms; "
            f"getpid {figures['getpid'][-1]:.2f} us, in Linux {linux_getpid:.2f} us")

    median = {name: statistics.median(values) for name, values in figures.items()}
    print(f"Program start to exit (ms): hello under syscall-emulation {median['hello']:.1f}, "
          f"hello in Linux under final {median['linux hello']:.0f}")
    print(f"System call round trip (us): syscall-emulation {median['getpid']:.2f}, "
          f"Linux guest {median['linux getpid']:.2f}", flush=True)
    return 0


if __name__ == "__main__":
    benchlib.main("bench_syscalls", main)
