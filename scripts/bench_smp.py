#!/usr/bin/env python3
"""What do several harts cost under beyond/smp? Two figures, each against a
baseline measured in the same run, medians over the runs.

    scripts/bench_smp.py [--runs N] [--timeout SECONDS]

`make bench` runs it last (RUNS= and QEMU= are passed on).

1. Linux on two harts. The same kernel Image, booted in turn straight on
   QEMU with -smp 2 (QEMU loads it with -kernel; OpenSBI starts the second
   hart when Linux asks) and under beyond/smp with SMP=2 (the command its
   `make run SMP=2` uses), with the same command line. Each boot is timed
   from starting QEMU to the userland's banner; then `poweroff` is typed.
   A run's ratio is its hypervisor boot over its direct boot:

       SMP boot (N=2) / direct: 1.04 (QEMU 7.2.22; within the target of 1.10)

2. An IPI's round trip. tests/guests/smp.cpp told "ping-pong": its boot
   hart sends an IPI (SBI send_ipi) to the other hart, whose handler sends
   one back, 2000 times; the guest times each with `time`, and gives their
   median (a round trip waits on two threads of the host, which the host
   also gives to other work: their mean moves with it). Booted under
   beyond/smp (an IPI is a VM exit on the sender, an IPI of ours through
   the firmware, a VM exit on the receiver, which sets its guest's pending
   bit) and straight on OpenSBI (the firmware's IPI: an M-mode interrupt
   on the receiver, which sets its S-mode pending bit):

       IPI round trip (us): hypervisor 110.2, firmware 12.5 (QEMU 7.2.22)

The harts of a QEMU are threads of the host: with as many harts as the
host has cores, the figures move with whatever else the host runs (the
load average is printed before and after).

Every QEMU run has a time limit and its own process group, killed when
the limit passes or the script is interrupted.
"""

import argparse
import datetime
import os
import re
import shlex
import statistics
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ left behind
import benchlib  # noqa: E402  (scripts/benchlib.py: stages and QEMU, through sandbox/)
from benchlib import (LINUX_IMAGE, REPO, RunFailed, Stage, direct, finish, make,  # noqa: E402
                      running)

STAGE = "beyond/smp"
HARTS = 2
APPEND = "console=hvc0 earlycon=sbi"  # what the stage gives the guest when -append has none
BANNER = "Welcome to the guest userland."
PROMPT = "guest$ "
PING_PONG = re.compile(r"ping-pong: (\d+) round trips, median (\d+) ns, mean (\d+) ns\r?\n")
TARGET_BOOT = 1.10  # the hypervisor's boot at most 1.10 times the direct one


def boot_to_banner(command, cwd, timeout):
    """Seconds from starting QEMU to the banner; then power off."""
    with running(command, cwd, timeout) as machine:
        machine.wait_for(BANNER)
        seconds = time.monotonic() - machine.started
        machine.wait_for(PROMPT)
        machine.send("poweroff\n")
        finish(machine)
    return seconds


def round_trip(command, cwd, timeout):
    """Microseconds per IPI round trip: the ping-pong guest's median."""
    with running(command, cwd, timeout) as machine:
        median = int(machine.wait_for(PING_PONG).group(2)) / 1000
        finish(machine)
    return median


def qemu_version(program):
    """QEMU's version number ("7.2.22")."""
    found = re.search(r"version (\S+)", benchlib.qemu_version(program))
    return found.group(1) if found else "?"


def show_failure(what, failure):
    print(f"\nbench_smp: {what}: {failure}. Its last lines:")
    print(failure.last_lines())


def main():
    parser = argparse.ArgumentParser(description="Linux on two harts, under beyond/smp and "
                                     "straight on QEMU; an IPI's round trip, both ways.")
    parser.add_argument("--runs", type=int, default=5, help="runs of each (default 5)")
    parser.add_argument("--timeout", type=float, default=120,
                        help="seconds one QEMU run may take before it is killed (default 120)")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    # Build the stage, the guest kernel (cached) and the ping-pong guest.
    make("-C", "tests/guests", "build/smp.Image")
    make("-s", "-C", "tests/guests", "told", "GUEST=smp", "ACTION=ping-pong")
    stage = Stage(STAGE).build()
    ping_pong = REPO / "tests" / "guests" / "build" / "smp-ping-pong.Image"
    guest = Stage(STAGE, kernel=ping_pong)
    smp = [f"SMP={HARTS}"]
    linux = {"hypervisor": stage.qemu_command(smp) + ["-append", APPEND]}
    linux["direct"] = direct(linux["hypervisor"], LINUX_IMAGE)
    ipi = {"hypervisor": guest.qemu_command(smp)}
    ipi["firmware"] = direct(ipi["hypervisor"], ping_pong)

    qemu = linux["direct"][0]
    version = qemu_version(qemu)
    print(f"SMP benchmark: {datetime.date.today().isoformat()}, {benchlib.machine_description()}, "
          f"QEMU {version} ({qemu}); {args.runs} run{'s' * (args.runs != 1)}, the ways "
          f"alternating in each; load average {os.getloadavg()[0]:.2f}")
    for name, commands in (("Linux", linux), ("IPI", ipi)):
        for way, command in commands.items():
            print(f"  {name + ', ' + way + ':':22}{shlex.join(command)}")
    print(f"Linux on {HARTS} harts: seconds from starting QEMU to the banner, and their ratio; "
          "an IPI's round trip between two harts, in microseconds:")
    print(f"  {'run':>6}   {'direct':>8} {'hypervisor':>10}   {'ratio':>6}   "
          f"{'IPI: hypervisor':>15} {'firmware':>9}")
    rows = []
    for run in range(1, args.runs + 1):
        print(f"  {run:6}   ", end="", flush=True)
        row = {}
        try:
            row["direct"] = boot_to_banner(linux["direct"], stage.dir, args.timeout)
            print(f"{row['direct']:8.3f} ", end="", flush=True)
            row["hypervisor"] = boot_to_banner(linux["hypervisor"], stage.dir, args.timeout)
            row["ratio"] = row["hypervisor"] / row["direct"]
            print(f"{row['hypervisor']:10.3f}   {row['ratio']:6.2f}   ", end="", flush=True)
            row["ipi"] = round_trip(ipi["hypervisor"], stage.dir, args.timeout)
            print(f"{row['ipi']:15.1f} ", end="", flush=True)
            row["ipi firmware"] = round_trip(ipi["firmware"], stage.dir, args.timeout)
            print(f"{row['ipi firmware']:9.1f}", flush=True)
        except RunFailed as failure:
            show_failure(f"run {run}", failure)
            return 1
        rows.append(row)

    def middle(key):
        return statistics.median(row[key] for row in rows)
    print(f"  {'median':>6}   {middle('direct'):8.3f} {middle('hypervisor'):10.3f}   "
          f"{middle('ratio'):6.2f}   {middle('ipi'):15.1f} {middle('ipi firmware'):9.1f}")
    print()
    within = "within" if middle("ratio") <= TARGET_BOOT else "NOT within"
    print(f"SMP boot (N={HARTS}) / direct: {middle('ratio'):.2f} (QEMU {version}; {within} the "
          f"target of {TARGET_BOOT})")
    print(f"IPI round trip (us): hypervisor {middle('ipi'):.1f}, firmware "
          f"{middle('ipi firmware'):.1f} (QEMU {version})")
    print(f"Load average at the end: {os.getloadavg()[0]:.2f} (QEMU counts for about "
          f"{HARTS} while both harts are busy; more means other work shared the machine)")
    return 0


if __name__ == "__main__":
    benchlib.main("bench_smp", main)
