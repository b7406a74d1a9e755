#!/usr/bin/env python3
"""The hypervisor as a library: what a call of the sandbox package costs.

    scripts/bench_sandbox.py [--runs N] [--calls N]

Four figures, each a median, each with its baseline from the same run:

1. Sandbox command (ms): a Linux sandbox (sandbox.Linux, beyond/snapshot)
   runs `echo hi` until its result is in Python. fresh: restore(snapshot)
   then run, as an agent starting each attempt clean; warm: run alone.
2. Program run (ms): sandbox.run(["hello"]) (beyond/syscall-emulation, no
   kernel) against `qemu-riscv64 hello`, the same static program on
   QEMU's user-mode emulator, a new process per call. --calls calls one
   after another in one Python process: the first starts the machine,
   later ones find it warm. The median of the calls, and the first alone.
3. Agent attempts per second: sandbox/examples/agent_loop.py's attempts
   (restore, run, check), its candidates that end by themselves.
4. File transfer (MB/s): write_file and read_file of 1 MiB of random
   bytes, through the guest's agent.

QEMU is $QEMU, or qemu-system-riscv64 (and the same for qemu-riscv64: its
Debian package is qemu-user). Every machine dies with the script.
"""

import argparse
import datetime
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ left behind
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "sandbox" / "examples"))
import agent_loop  # noqa: E402
import sandbox  # noqa: E402
from sandbox import programs  # noqa: E402

TARGET_FRESH = 10.0   # ms: the talk's author's goal for a sandbox, with snapshots
TARGET_RATIO = 1.0    # sandbox.run / qemu-riscv64
TARGET_TRANSFER = 1.0  # MB/s, each way
TRANSFER = 1 << 20


def ms(seconds):
    return seconds * 1000


def timed(call, count):
    """The times of `count` calls, in seconds."""
    times = []
    for _ in range(count):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return times


def sandbox_command(vm, calls):
    snapshot = vm.snapshot()
    def fresh():
        vm.restore(snapshot)
        assert vm.run("echo hi").stdout == b"hi\n"
    def warm():
        assert vm.run("echo hi").stdout == b"hi\n"
    return statistics.median(timed(fresh, calls)), statistics.median(timed(warm, calls))


def program_run(calls):
    hello = programs.SHIPPED / "hello"
    qemu_user = os.environ.get("QEMU_USER", "qemu-riscv64")
    def ours():
        assert sandbox.run(["hello"]).stdout.startswith(b"Hello, world!")
    def theirs():
        out = subprocess.run([qemu_user, str(hello)], capture_output=True, check=True).stdout
        assert out.startswith(b"Hello, world!")
    times = timed(ours, calls)  # the first call starts the machine (or finds one)
    return statistics.median(times), times[0], statistics.median(timed(theirs, calls))


def agent_attempts(vm, rounds):
    candidates = [c for c in agent_loop.CANDIDATES if c != "spin"]
    vm.write_file("/input", agent_loop.INPUT)
    start = vm.snapshot()
    began = time.perf_counter()
    for _ in range(rounds):
        for command in candidates:
            agent_loop.attempt(vm, start, command)
    return rounds * len(candidates) / (time.perf_counter() - began)


def file_transfer(vm):
    data = os.urandom(TRANSFER)
    start = time.perf_counter()
    vm.write_file("/transfer", data)
    wrote = time.perf_counter() - start
    start = time.perf_counter()
    assert vm.read_file("/transfer") == data
    read = time.perf_counter() - start
    return TRANSFER / wrote / 1e6, TRANSFER / read / 1e6


def mark(ok):
    return "met" if ok else "NOT met"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="sandboxes booted (default 5)")
    parser.add_argument("--calls", type=int, default=20, help="calls timed per figure (default 20)")
    args = parser.parse_args()
    qemu = os.environ.get("QEMU", "qemu-system-riscv64")
    for tool in (qemu, os.environ.get("QEMU_USER", "qemu-riscv64")):
        if shutil.which(tool) is None:
            sys.exit(f"error: {tool} not found (make tools installs it)")
    version = subprocess.run([qemu, "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    print(f"Sandbox benchmark: {datetime.date.today().isoformat()}, {version}; "
          f"medians of {args.calls} calls, {args.runs} runs", flush=True)

    fresh, warm, attempts, writes, reads = [], [], [], [], []
    for run in range(1, args.runs + 1):
        with sandbox.Linux() as vm:
            f, w = sandbox_command(vm, args.calls)
            a = agent_attempts(vm, max(1, args.calls // 5))
            wr, rd = file_transfer(vm)
        fresh.append(f), warm.append(w), attempts.append(a), writes.append(wr), reads.append(rd)
        print(f"  run {run}: command fresh {ms(f):.1f} ms, warm {ms(w):.1f} ms; "
              f"{a:.1f} attempts/s; write {wr:.2f} MB/s, read {rd:.2f} MB/s", flush=True)
    ours, first, theirs = program_run(args.calls)

    print()
    f, w = ms(statistics.median(fresh)), ms(statistics.median(warm))
    print(f"Sandbox command (ms): fresh {f:.1f}, warm {w:.1f} "
          f"(target: fresh <= {TARGET_FRESH:.0f}: {mark(f <= TARGET_FRESH)})")
    ratio = ours / theirs
    print(f"Program run (ms): sandbox {ms(ours):.1f}, qemu-riscv64 {ms(theirs):.1f}, ratio {ratio:.2f} "
          f"(target <= {TARGET_RATIO:.1f}: {mark(ratio <= TARGET_RATIO)}; the first call "
          f"{ms(first):.0f} ms)")
    print(f"Agent attempts per second: {statistics.median(attempts):.1f}")
    wr, rd = statistics.median(writes), statistics.median(reads)
    print(f"File transfer (MB/s): write {wr:.2f}, read {rd:.2f} "
          f"(target >= {TARGET_TRANSFER:.0f}: {mark(min(wr, rd) >= TARGET_TRANSFER)})")


if __name__ == "__main__":
    main()
