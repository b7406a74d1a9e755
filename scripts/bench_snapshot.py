#!/usr/bin/env python3
"""How fast does beyond/snapshot put a Linux sandbox back? Against a full
copy of guest RAM, and against booting it again.

    scripts/bench_snapshot.py [--runs N] [--timeout SECONDS] [--sizes 64M,256M,512M]

Each run boots Linux on beyond/snapshot (the command its `make run` uses,
with the QEMU of the QEMU environment variable, as everywhere in the
repository) and does what a sandbox controller does after an attempt,
four times, with the shell command of tests/test_beyond_snapshot.py:

    write /attempt round-N, cat /attempt, then Ctrl-] r, r, f, f in turn
    cat /attempt after each restore: the file must be gone

Two dirty restores (only the pages written since the snapshot), then two
full ones (all of guest RAM, Ctrl-] f). Each figure is the `us=` the
hypervisor reports: it reads `time` before and after the restore, with no
console or pipe in between. The first of each kind in a boot is the
dearer one (beyond/snapshot/README.md says why). The main line takes the
first dirty restore and the second full one: the first full restore also
pays the host for memory QEMU had never touched, which no later copy
does. Both choices err against the dirty restore; the table shows all four.

boot is the wall clock from starting QEMU to the shell's prompt, less the
first snapshot, which the hypervisor takes just before the prompt and
reports with its own `us=`: what a boot without snapshots costs. (The
hypervisor prints no timestamp of its own at the prompt, so the boot is
the one figure measured from outside.) The main line gives the medians
over the runs:

    Snapshot restore (ms): dirty 0.68, full 67, boot 519, dirty / boot: 0.13%

Then the same restores with more guest RAM (GUEST_MEM=256M...; the
default, 64M, is the runs above): a dirty restore copies what the command
wrote, whatever the size of RAM; a full one copies all of it.

Every QEMU run has a time limit (--timeout) and runs in its own process
group, killed when the limit passes or the script is interrupted.
"""

import argparse
import datetime
import os
import re
import statistics
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ left behind
import benchlib  # noqa: E402  (scripts/benchlib.py: stages and QEMU, through sandbox/)
from benchlib import RunFailed, Stage, finish, running  # noqa: E402

STAGE = "beyond/snapshot"
DEFAULT_SIZE = "64M"  # the stage's guest RAM when no GUEST_MEM is given
PROMPT = "guest$ "
CTRL = "\x1d"  # Ctrl-]
TAKEN = re.compile(r"\[snapshot\] taken pages=(\d+) copied=(\d+) us=(\d+)\n")
RESTORED = re.compile(r"\[snapshot\] restored pages=(\d+) us=(\d+) copy=(dirty|full)\n")


def sandbox_run(stage, size, timeout):
    """Boot; write a file and restore, four times (dirty twice, then full
    twice); power off. Returns {"boot": s, "first": the first snapshot's
    ms, "pages": the first dirty restore's pages, and the restores' ms:
    "dirty", "again", "full", "full again"}."""
    make_vars = [] if size == DEFAULT_SIZE else [f"GUEST_MEM={size}"]
    command = stage.qemu_command(make_vars)
    with running(command, stage.dir, timeout) as machine:
        taken = machine.wait_for(TAKEN)
        machine.wait_for(PROMPT, since=taken.end())
        first = int(taken.group(3)) / 1e6
        boot = time.monotonic() - machine.started - first

        def shell(line):
            start = len(machine.output)
            machine.send(line + "\n")
            machine.wait_for(PROMPT, since=start + len(line))
            return machine.output[start:].split("\n")[1:-1]

        def restore(key):
            start = len(machine.output)
            machine.send(CTRL + key)
            return machine.wait_for(RESTORED, since=start)

        restores = []
        for round, key in enumerate("rrff", 1):
            shell(f"write /attempt round-{round}")
            if shell("cat /attempt") != [f"round-{round}"]:
                raise RunFailed("the file was not written")
            restores.append(restore(key))
            if shell("cat /attempt") != ["cat: /attempt: No such file or directory"]:
                raise RunFailed("the restore left the file")
        dirty, again, full, full_again = restores
        machine.send("poweroff\n")
        finish(machine)
    return {"boot": boot, "first": first * 1000, "pages": int(dirty.group(1)),
            "dirty": int(dirty.group(2)) / 1000, "again": int(again.group(2)) / 1000,
            "full": int(full.group(2)) / 1000, "full again": int(full_again.group(2)) / 1000}


def runs_of(stage, size, runs, timeout):
    """`runs` sandbox runs with `size` of guest RAM, one row printed each."""
    results = []
    for run in range(1, runs + 1):
        r = sandbox_run(stage, size, timeout)
        results.append(r)
        print(f"  {size:>5} {run:4}   {r['boot']:7.3f} {r['first']:9.1f}   {r['pages']:6} "
              f"{r['dirty']:8.3f} {r['again']:8.3f}   {r['full']:7.1f} {r['full again']:7.1f}",
              flush=True)
    return results


def median(results, key):
    return statistics.median(r[key] for r in results)


def main():
    parser = argparse.ArgumentParser(
        description="Time beyond/snapshot's restores of a Linux sandbox after a shell command "
        "(dirty: only the pages written; full: all of guest RAM) against the boot to the "
        "shell, and the restores as guest RAM grows. QEMU= picks the QEMU, as for make.")
    parser.add_argument("--runs", type=int, default=5,
                        help="boots per guest RAM size; the figures are medians (default 5)")
    parser.add_argument("--timeout", type=float, default=60,
                        help="seconds one QEMU run may take before it is killed (default 60)")
    parser.add_argument("--sizes", default="64M,256M,512M",
                        help="guest RAM sizes (GUEST_MEM) of the last line, comma-separated "
                        "(default 64M,256M,512M; '' leaves the line out)")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    sizes = [s for s in args.sizes.split(",") if s]
    if any(not re.fullmatch(r"\d+[MG]", s) for s in sizes):
        parser.error("--sizes: give sizes such as 64M or 1G")

    stage = Stage(STAGE).build()  # and the guest kernel, if missing (cached)
    command = stage.qemu_command()
    print(f"Snapshot benchmark: {datetime.date.today().isoformat()}, "
          f"{benchlib.qemu_version(command[0])}, "
          f"{os.cpu_count()} CPUs; {args.runs} run{'s' * (args.runs != 1)} per size; "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"  {' '.join(command)}")
    print("  Per run: boot to the prompt (s, less the first snapshot), the first snapshot (ms); "
          "then, after the same shell command each time: the pages the first dirty restore "
          "copied, its ms and the second one's, then two full restores (ms)")
    print(f"  {'RAM':>5} {'run':>4}   {'boot':>7} {'snapshot':>9}   {'pages':>6} {'dirty':>8} "
          f"{'again':>8}   {'full':>7} {'again':>7}")

    by_size = {}
    try:
        for size in [DEFAULT_SIZE] + [s for s in sizes if s != DEFAULT_SIZE]:
            by_size[size] = runs_of(stage, size, args.runs, args.timeout)
    except RunFailed as failure:
        print(f"\nbench_snapshot: {failure}. The last lines:")
        print(failure.last_lines())
        return 1

    main_runs = by_size[DEFAULT_SIZE]
    dirty, full, boot = (median(main_runs, k) for k in ("dirty", "full again", "boot"))
    print()
    print(f"Snapshot restore (ms): dirty {dirty:.2f}, full {full:.0f}, boot {boot * 1000:.0f}, "
          f"dirty / boot: {dirty / (boot * 1000) * 100:.2f}%")
    if sizes:
        print("Snapshot restore by guest RAM (ms): " + ", ".join(
            f"{size} dirty {median(by_size[size], 'dirty'):.2f} full "
            f"{median(by_size[size], 'full again'):.0f}" for size in sizes))
    print(f"Load average at the end: {os.getloadavg()[0]:.2f} (QEMU itself counts for about 1)")
    return 0


if __name__ == "__main__":
    benchlib.main("bench_snapshot", main)
