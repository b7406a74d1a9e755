#!/usr/bin/env python3
"""How much does our hypervisor cost? Two benchmarks, each run RUNS times,
every figure compared with a baseline measured in the same run.

    scripts/bench.py [--runs N] [--timeout SECONDS] [--idle SECONDS]
                     [--kernel /abs/path/Image] [--append "COMMAND LINE"]
                     [--only hypercall|linux]

`make bench` runs it (RUNS=, KERNEL=, APPEND= and QEMU= are passed on).

1. One hypervisor call, against its floor. tests/guests/hypercall.cpp, a
   bare-metal program dressed as a Linux Image, makes the same SBI call
   (BASE get_spec_version) many times, reads `time` around the calls and
   prints the time per call. It is booted three ways, in turn:

     firmware  straight on OpenSBI (QEMU -kernel): each call goes S->M->S;
     final     under final/ (its `qemu-command`): VS->HS->VS, through the
               world switch and the C++ handler;
     floor     under tests/floor/: final/ with a trap vector that answers
               exactly this call by stepping over the ecall and returning.
               What it costs is the trap and the return themselves, the
               least any hypervisor can cost on this QEMU.

   `final / floor` says how close final's path comes to that floor.

2. Linux. The same kernel is booted three ways, in turn:

     direct      QEMU loads the kernel itself (-kernel Image);
     hypervisor  the exact command `make -C final run` uses (final's
                 `qemu-command`), the kernel as -initrd;
     idle        the hypervisor boot again, left idle at the shell's
                 prompt for --idle seconds (10), then a key is typed.

   Each boot is timed from starting QEMU to the userland's banner (and to
   the kernel's first line); then `poweroff` is typed at the prompt.
   direct and hypervisor get the same kernel command line through QEMU's
   -append (final/ passes its -append on to the guest), by default the one
   final/ uses when none is given. final/ prints its table of VM exits at
   power-off: the hypervisor boot's total is the "VM exits per boot"; the
   timer rows (`SBI timer`, and `watchdog`: final's own timer) of the
   idle boot minus the hypervisor boot's (same run)
   over the idle seconds is the "timer exits per idle second" (both boots
   type the same keys: `p`, then `oweroff`). The idle boot also times how
   long that `p` takes to be echoed.

The figures are the medians over the runs; a ratio (hypervisor / direct,
final / floor) is the median of each run's own ratio. Every QEMU has a time
limit and runs in its own process group, which is killed when the limit
passes (or when the script is interrupted).
"""

import argparse
import datetime
import os
import re
import shlex
import statistics
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ left in scripts/ or sandbox/
sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402  (scripts/benchlib.py: stages and QEMU, through sandbox/)
import loc  # noqa: E402  (scripts/loc.py, next to this file)
from benchlib import RunFailed, Stage, finish, option, running  # noqa: E402

REPO = benchlib.REPO
STAGE = REPO / "final"
GUESTS = REPO / "tests" / "guests"
HYPERCALL_GUEST = GUESTS / "build" / "hypercall.Image"

APPEND = "console=hvc0 earlycon=sbi"  # what final/src/main.cpp gives the guest
LINUX_STARTS = b"Linux version"
BANNER = b"Welcome to the guest userland."
PROMPT = b"guest$ "
KEY = b"p"               # typed after the idle time; its echo is timed...
REST = b"oweroff\n"      # ...and the rest of the line powers off
PER_CALL = re.compile(r"hypercall: (\d+) ns per call \((.*)\)")

TARGET_BOOT = 1.10   # the hypervisor boot should take at most 1.10 times the direct one
TARGET_CALL = 1.15   # a hypervisor call at most 1.15 times its floor

# The rows of final's exit table that count timer exits: the guest's SBI
# set_timer calls, and final's own timer (its watchdog).
TIMER_ROWS = ("SBI timer", "watchdog")


# ---------------------------------------------------------------- building

def qemu_command(stage):
    """The QEMU command of a stage's `make run` (sandbox/stage.py): the
    hypervisor as -kernel, its guest (the stage's KERNEL=) as -initrd."""
    command = stage.qemu_command()
    if "-kernel" not in command or "-initrd" not in command:
        sys.exit(f"bench: expected -kernel and -initrd in {stage.name}'s qemu-command: "
                 f"{shlex.join(command)}")
    return command


def linux_commands(kernel, append):
    """{way: QEMU command} for the Linux boots, and the kernel's path."""
    # Build the hypervisor, and the guest kernel if it is missing or stale
    # (a no-op when it is cached).
    final = Stage("final", kernel=kernel).build()
    hypervisor = qemu_command(final) + ["-append", append]
    image = option(hypervisor, "-initrd")  # relative to final/, where QEMU runs
    return ({"direct": benchlib.direct(hypervisor, image), "hypervisor": hypervisor},
            (STAGE / image).resolve())


def hypercall_commands():
    """{way: QEMU command} for the hypercall guest."""
    benchlib.make("-s", "-C", "tests/guests", "build/hypercall.Image")
    final = qemu_command(Stage("final", kernel=HYPERCALL_GUEST).build())
    floor = qemu_command(Stage("tests/floor", kernel=HYPERCALL_GUEST).build())
    return {"firmware": benchlib.direct(final, option(final, "-initrd")), "final": final,
            "floor": floor}


# ---------------------------------------------------------------- running QEMU

# Every QEMU runs in final/ (its commands' paths are relative to it) as a
# sandbox Machine, with a time limit (see benchlib.running).

def seconds(machine):
    """Seconds since the machine's QEMU was started."""
    return time.monotonic() - machine.started


def arrival(machine, marker, since=0):
    """Wait for `marker` (bytes, no line end in it) in what the console
    printed from byte `since` on. Returns (seconds from starting QEMU to
    the arrival of its last byte, the byte offset just past it).

    The time is the console reader's, taken as each piece was read
    (Machine.arrived), not when this script got to look. Machine.wait_for
    waits on the console's text, where line ends are made \n; a marker
    with no line end in it is found in the bytes, where the times are,
    exactly as in the text."""
    printed = machine.raw_output[:since].rstrip(b"\r")  # half a line end is not text yet
    text = benchlib.LINE_END.sub("\n", printed.decode("utf-8", errors="replace"))
    machine.wait_for(marker.decode(), since=len(text))
    end = machine.raw_output.index(marker, since) + len(marker)
    return machine.arrived(end - 1), end


def boot_linux(command, timeout, idle=0.0):
    """Boot Linux to its shell's prompt, then power it off. With `idle`,
    leave the prompt alone that many seconds first, then type a key and
    time its echo. Returns a dict of what was measured."""
    with running(command, STAGE, timeout + idle) as machine:
        banner_at, banner_end = arrival(machine, BANNER)
        linux = machine.raw_output.find(LINUX_STARTS, 0, banner_end)  # -1: the kernel is quiet
        kernel_at = machine.arrived(linux) if linux >= 0 else None
        prompt_at, _ = arrival(machine, PROMPT, banner_end)
        echo = None
        if idle:
            time.sleep(max(0.0, min(idle, machine.remaining())))  # type nothing
            idle_seconds = seconds(machine) - prompt_at
            typed_at, typed_end = seconds(machine), len(machine.raw_output)
            machine.send(KEY)
            echoed_at, _ = arrival(machine, KEY, typed_end)
            echo = echoed_at - typed_at
            machine.send(REST)
        else:
            idle_seconds = 0.0
            machine.send(KEY + REST)
        text = finish(machine)
    return {"kernel": kernel_at, "banner": banner_at, "exits": exit_table(text),
            "idle": idle_seconds, "echo": echo, "text": text}


def time_hypercall(command, timeout):
    """Boot the hypercall guest; returns (microseconds per call, how the
    guest got that figure, its output)."""
    with running(command, STAGE, timeout) as machine:
        machine.wait_for(" ns per call")
        text = finish(machine)
    found = PER_CALL.search(text)
    if not found:
        raise RunFailed("no time per call in the guest's output", text)
    return int(found.group(1)) / 1000, found.group(2), text


def exit_table(text):
    """final's table of VM exits, {row name: count}, in its order."""
    rows = re.findall(r"^\[hypervisor\]   (\S.*?) +(\d+)$", text, re.MULTILINE)
    return {name: int(count) for name, count in rows}


def opensbi_version(text):
    found = re.search(r"OpenSBI (v\S+)", text)
    return f"OpenSBI {found.group(1)}" if found else "OpenSBI (version not printed)"


# ---------------------------------------------------------------- printing

def cell(value, width, digits):
    return f"{value:{width}.{digits}f}" if value is not None else f"{'-':>{width}}"


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def show_failure(what, failure):
    print(f"\nbench: {what}: {failure}. Its last lines:")
    print(failure.last_lines())


# ---------------------------------------------------------------- the two benchmarks

def hypercall_benchmark(commands, runs, timeout):
    """Runs the hypercall guest each way, `runs` times; returns
    ({way: [us per call]}, [final / floor of each run], OpenSBI's version)."""
    print("Hypercall round trip: microseconds per SBI call (BASE get_spec_version), "
          "as the guest times them:")
    print(f"  {'run':>6}   {'firmware':>8} {'final':>8} {'floor':>8}   {'final / floor':>13}")
    results = {way: [] for way in commands}
    ratios = []
    firmware = None
    for run in range(1, runs + 1):
        print(f"  {run:6}  ", end="", flush=True)
        for way, command in commands.items():
            try:
                per_call, method, text = time_hypercall(command, timeout)
            except RunFailed as failure:
                show_failure(f"hypercall run {run}, {way}", failure)
                return None
            results[way].append(per_call)
            firmware = firmware or (opensbi_version(text) if way == "firmware" else None)
            print(f" {per_call:8.2f}", end="", flush=True)
        ratios.append(results["final"][-1] / results["floor"][-1])
        print(f"   {ratios[-1]:13.2f}", flush=True)
    print(f"  {'median':>6}   " + " ".join(f"{median(results[w]):8.2f}" for w in commands)
          + f"   {median(ratios):13.2f}")
    print(f"  (each figure: the guest's {method})")
    return results, ratios, firmware


def linux_benchmark(commands, runs, timeout, idle):
    """Boots Linux each way, `runs` times; returns the boots by way."""
    print("Linux: seconds from starting QEMU to the kernel's first line (`Linux version`) "
          "and to the userland's banner; hypervisor / direct (banner); the hypervisor boot's "
          "VM exits; the idle boot's timer exits per second at the prompt (beyond the "
          "hypervisor boot's), and the echo of the key typed then:")
    print(f"  {'':6}   {'direct':^17}   {'hypervisor':^17}   {'':>6}   {'':>8}   "
          f"{f'idle {idle:g} s':^18}".rstrip())
    print(f"  {'run':>6}   {'kernel':>8} {'banner':>8}   {'kernel':>8} {'banner':>8}   "
          f"{'ratio':>6}   {'VM exits':>8}   {'timer/s':>8} {'echo ms':>9}")
    boots = {"direct": [], "hypervisor": [], "idle": []}
    for run in range(1, runs + 1):
        print(f"  {run:6}   ", end="", flush=True)
        for way, command, idle_for in (("direct", commands["direct"], 0),
                                       ("hypervisor", commands["hypervisor"], 0),
                                       ("idle", commands["hypervisor"], idle)):
            try:
                result = boot_linux(command, timeout, idle_for)
            except RunFailed as failure:
                show_failure(f"Linux run {run}, {way}", failure)
                return None
            boots[way].append(result)
            if way == "direct":
                print(f"{cell(result['kernel'], 8, 3)} {cell(result['banner'], 8, 3)}   ",
                      end="", flush=True)
            elif way == "hypervisor":
                result["ratio"] = result["banner"] / boots["direct"][-1]["banner"]
                print(f"{cell(result['kernel'], 8, 3)} {cell(result['banner'], 8, 3)}   "
                      f"{result['ratio']:6.2f}   {result['exits'].get('total', '?'):>8}   ",
                      end="", flush=True)
            else:
                base = boots["hypervisor"][-1]["exits"]
                extra = sum(result["exits"].get(row, 0) - base.get(row, 0) for row in TIMER_ROWS)
                result["timer rate"] = extra / result["idle"]
                print(f"{result['timer rate']:8.1f} {result['echo'] * 1000:9.0f}", flush=True)

    def middle(way, key):
        return median(b[key] for b in boots[way])
    print(f"  {'median':>6}   {cell(middle('direct', 'kernel'), 8, 3)} "
          f"{cell(middle('direct', 'banner'), 8, 3)}   "
          f"{cell(middle('hypervisor', 'kernel'), 8, 3)} "
          f"{cell(middle('hypervisor', 'banner'), 8, 3)}   {middle('hypervisor', 'ratio'):6.2f}   "
          f"{median(b['exits'].get('total', 0) for b in boots['hypervisor']):8.0f}   "
          f"{middle('idle', 'timer rate'):8.1f} {middle('idle', 'echo') * 1000:9.0f}")
    return boots


def summary(hypercalls, boots, idle):
    """The figures, one per line in a fixed form (other tools may parse
    them), then what they come from."""
    def middle(way, key):
        return median(b[key] for b in boots[way])

    def within(ratio, target):
        return f"{'within' if ratio <= target else 'NOT within'} the target of {target}"

    print()
    if boots:
        exits = median(b["exits"].get("total", 0) for b in boots["hypervisor"])
        print(f"Hypervisor / direct: {middle('hypervisor', 'ratio'):.2f}")
        print(f"VM exits per boot: {exits:.0f}")
        print(f"Timer exits per idle second: {middle('idle', 'timer rate'):.1f}")
        print(f"Input echo after {idle:g} s idle (ms): {middle('idle', 'echo') * 1000:.0f}")
    if hypercalls:
        results, ratios, _ = hypercalls
        print("Hypercall round trip (us): "
              f"firmware {median(results['firmware']):.2f}, final {median(results['final']):.2f}, "
              f"floor {median(results['floor']):.2f}, final / floor: {median(ratios):.2f}")
    print()
    if boots:
        direct, hypervisor = middle("direct", "banner"), middle("hypervisor", "banner")
        split = ""
        if middle("direct", "kernel") is not None and middle("hypervisor", "kernel") is not None:
            before = middle("hypervisor", "kernel") - middle("direct", "kernel")
            split = (f": {before:+.3f} s before the kernel's first line, "
                     f"{hypervisor - direct - before:+.3f} s after it")
        print(f"Boot: hypervisor / direct {within(middle('hypervisor', 'ratio'), TARGET_BOOT)}; "
              f"medians {direct:.3f} s direct, {hypervisor:.3f} s hypervisor, "
              f"{hypervisor - direct:+.3f} s{split}")
    if hypercalls:
        results, ratios, firmware = hypercalls
        print(f"Hypercall: final / floor {within(median(ratios), TARGET_CALL)}; final spends "
              f"{median(results['final']) - median(results['floor']):.2f} us per call beyond "
              f"the floor; firmware: {firmware}")
    if boots:
        totals = [b["exits"].get("total", 0) for b in boots["hypervisor"]]
        typical = sorted(range(len(totals)), key=lambda i: totals[i])[(len(totals) - 1) // 2]
        print(f"VM exits of a boot, from entry to power-off (run {typical + 1}, the median "
              f"total; all runs: {', '.join(map(str, totals))}):")
        for name, count in boots["hypervisor"][typical]["exits"].items():
            print(f"  {name:12} {count:8}")


def main():
    parser = argparse.ArgumentParser(description="Time hypervisor calls against their floor, "
                                     "and Linux booting directly on QEMU and under final/.")
    parser.add_argument("--runs", type=int, default=5, help="runs of each benchmark (default 5)")
    parser.add_argument("--timeout", type=float, default=60,
                        help="seconds one QEMU run may take before it is killed (default 60; "
                        "the idle boot gets --idle more)")
    parser.add_argument("--idle", type=float, default=10,
                        help="seconds the idle boot sits at its prompt (default 10)")
    parser.add_argument("--kernel", help="another kernel Image (an absolute path), "
                        "as KERNEL= for make")
    parser.add_argument("--append", default=APPEND,
                        help=f"the kernel command line of the Linux boots (default '{APPEND}', "
                        "the one final/ gives the guest when QEMU has no -append)")
    parser.add_argument("--only", choices=("hypercall", "linux"),
                        help="run one of the two benchmarks (hypercall needs no Linux kernel)")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.idle <= 0:
        parser.error("--idle must be above 0")

    calls = hypercall_commands() if args.only != "linux" else None
    linux, image = (linux_commands(args.kernel, args.append) if args.only != "hypercall"
                    else (None, None))
    any_command = next(iter((calls or linux).values()))
    print(f"Benchmark: {datetime.date.today().isoformat()}, {benchlib.machine_description()}, "
          f"{benchlib.qemu_version(any_command[0])}; {args.runs} run{'s' * (args.runs != 1)}, "
          f"the ways alternating in each; load average {os.getloadavg()[0]:.2f}")
    for way, command in (calls or {}).items():
        print(f"  {way + ':':12}{shlex.join(command)}")
    if linux:
        print(f"  Linux: {image}")
        for way, command in linux.items():
            print(f"  {way + ':':12}{shlex.join(command)}")
        print(f"  {'idle:':12}the hypervisor's command, idle {args.idle:g} s at the prompt")

    hypercalls = boots = None
    if calls:
        hypercalls = hypercall_benchmark(calls, args.runs, args.timeout)
        if hypercalls is None:
            return 1
    if linux:
        boots = linux_benchmark(linux, args.runs, args.timeout, args.idle)
        if boots is None:
            return 1
    summary(hypercalls, boots, args.idle)

    sums = loc.totals(loc.count(STAGE / "src"))
    print(f"Code: final/src has {sums['C++']} lines of C++ and {sums['assembly']} of assembly, "
          f"{sums['total']} in all ({'within' if sums['total'] <= loc.AIM else 'over'} the "
          f"aim of {loc.AIM:,}; make loc for each file)")
    print(f"Load average at the end: {os.getloadavg()[0]:.2f} (QEMU itself counts for about 1; "
          "more means other work shared the machine and may have skewed the figures)")
    return 0


if __name__ == "__main__":
    benchlib.main("bench", main)
