#!/usr/bin/env python3
"""What do interrupts and queues buy? The console and the disk of the
beyond/ stages against final/ and against Linux straight on QEMU.

    scripts/bench_devices.py [--runs N] [--timeout SECONDS]

Three benchmarks, each figure a median over --runs (default 5), each
compared with a baseline measured in the same run:

1. Console round trip: from typing `echo rN` (and Enter) at the shell's
   prompt to the line `rN` coming back, after the console has been idle
   0, 0.3 and 3 s. Four ways, each booted once per run:

     virtio      beyond/virtio: the shell on its virtio console (hvc1)
     interrupts  beyond/interrupts: the shell on its emulated UART (ttyS0)
     final       final/: the shell on the SBI console (hvc0), which Linux
                 polls from a timer
     direct      the same kernel straight on QEMU, console=ttyS0: QEMU's
                 UART and its interrupt, no hypervisor

2. Console output: the VM exits a program's bulk output costs. The shell's
   `print 262144` writes 256 KiB of text lines from one program; a boot
   that prints, against one that does not (same run), per KiB printed.
   The terminal passes each line on in two writes (the line, then "\\r\\n"),
   whatever the console; `print 262144 raw` turns that off, as a
   full-screen program does, and shows what the console itself costs.

3. Disk read: the first read after boot of a 16 MiB file (the shell's
   `readall`, which reads and throws away) on an ext2 image, as the
   guest's disk under beyond/virtio-blk, and as the virtio disk of the
   same Linux straight on QEMU.

Every QEMU run has a time limit and its own process group, killed when
the limit passes or the script is interrupted.
"""

import argparse
import contextlib
import datetime
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ left behind
import benchlib  # noqa: E402  (scripts/benchlib.py: stages and QEMU, through sandbox/)
from benchlib import RunFailed, Stage, finish, running  # noqa: E402

PROMPT = "guest$ "
GAPS = (0.0, 0.3, 3.0)
ROUNDS = 5            # typed commands per gap and boot: their median is the boot's figure
PRINTED = 256 * 1024  # bytes of bulk output
BIG_FILE = 16 << 20   # bytes of the disk read
SBIN = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"  # mke2fs, for a user's PATH too

TARGET_ROUND_TRIP = 2.0  # ms, at every idle gap
TARGET_EXITS = 1.0       # per KiB of bulk output (raw)
TARGET_DISK = 0.5        # guest / direct

EXIT_TOTAL = re.compile(r"\[hypervisor\]   total +(\d+)\n")
READALL = re.compile(r"readall: (\d+) bytes in (\d+) us")


# ---------------------------------------------------------------- the ways to boot

def stage_command(name, make_vars=()):
    stage = Stage(name).build()
    return stage.qemu_command(list(make_vars)), stage.dir


def direct_command(extra=(), append="console=ttyS0 earlycon=sbi"):
    """Linux straight on QEMU: final's command, with the kernel as QEMU's
    -kernel instead of the hypervisor, and a command line of its own."""
    command, cwd = stage_command("final")
    kernel = benchlib.option(command, "-initrd")
    direct = benchlib.direct(command, kernel, drop=("-kernel", "-initrd", "-append"))
    return direct + ["-append", append, *extra], cwd


@contextlib.contextmanager
def shell(command, cwd, timeout):
    """A booted Linux at its prompt, for the `with` block (a Machine:
    see benchlib.running)."""
    with running(command, cwd, timeout) as machine:
        machine.wait_for("Welcome to the guest userland.")
        machine.wait_for(PROMPT)
        yield machine


def type_command(machine, line, until):
    """Type `line` at the prompt; returns (seconds until `until` came
    back, the match), once the prompt is back too."""
    start = len(machine.output)
    typed = time.monotonic()
    machine.send(line + "\n")
    match = machine.wait_for(until, since=start + len(line))
    took = time.monotonic() - typed
    machine.wait_for(PROMPT, since=start + len(line) + match.end())
    return took, match


def round_trips(command, cwd, timeout):
    """{gap: median ms} for one boot."""
    with shell(command, cwd, timeout) as machine:
        result = {}
        for gap in GAPS:
            times = []
            for n in range(ROUNDS):
                time.sleep(gap)
                took, _ = type_command(machine, f"echo r{n}", re.compile(rf"\nr{n}\n"))
                times.append(took * 1000)
            result[gap] = statistics.median(times)
        return result


def exits_of(command, cwd, timeout, line):
    """The total of the exit table of a boot that runs `line` (or nothing)."""
    with shell(command, cwd, timeout) as machine:
        if line:
            type_command(machine, line, re.compile(r"\n"))
        machine.send("poweroff\n")
        output = finish(machine)
    found = EXIT_TOTAL.search(output)
    if not found:
        raise RunFailed("no exit table at power-off", output)
    return int(found.group(1))


def disk_read(command, cwd, timeout):
    """MB/s of the first read of /mnt/big after boot."""
    with shell(command, cwd, timeout) as machine:
        _, match = type_command(machine, "readall /mnt/big", READALL)
    size, us = int(match.group(1)), int(match.group(2))
    if size != BIG_FILE:
        raise RunFailed(f"read {size} bytes, not {BIG_FILE}")
    return size / us  # bytes per microsecond: MB/s


def disk_image(directory):
    root = Path(directory) / "root"
    root.mkdir()
    (root / "big").write_bytes(os.urandom(BIG_FILE))
    image = Path(directory) / "disk.img"
    mke2fs = shutil.which("mke2fs", path=SBIN)
    if mke2fs is None:
        sys.exit("bench_devices: mke2fs not found (apt-get install e2fsprogs)")
    subprocess.run([mke2fs, "-q", "-t", "ext2", "-I", "256", "-d", root, image, "40M"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return image


# ---------------------------------------------------------------- printing

def median(values):
    return statistics.median(values)


def within(value, target, below=True):
    ok = value <= target if below else value >= target
    return "met" if ok else "NOT met"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=90)
    args = parser.parse_args()

    version = benchlib.qemu_version(os.environ.get("QEMU", "qemu-system-riscv64"))
    print(f"Devices benchmark: {datetime.date.today().isoformat()}, {version}; "
          f"{args.runs} runs, medians; load average {os.getloadavg()[0]:.2f}")

    ways = {"virtio": stage_command("beyond/virtio"),
            "interrupts": stage_command("beyond/interrupts"),
            "final": stage_command("final"),
            "direct": direct_command()}
    trips = {way: {gap: [] for gap in GAPS} for way in ways}
    print("\nConsole round trip (ms), `echo rN` typed to `rN` back, after idle gaps of "
          + ", ".join(f"{gap:g}" for gap in GAPS) + " s:")
    for run in range(1, args.runs + 1):
        cells = []
        for way, (command, cwd) in ways.items():
            result = round_trips(command, cwd, args.timeout)
            for gap in GAPS:
                trips[way][gap].append(result[gap])
            cells.append(f"{way} " + "/".join(f"{result[gap]:.1f}" for gap in GAPS))
        print(f"  run {run}: " + ", ".join(cells), flush=True)

    print("\nConsole output: VM exits for 256 KiB printed by one program (a boot that "
          "prints, minus one that does not):")
    outputs = {way: {"lines": [], "raw": []} for way in ("virtio", "final")}
    for run in range(1, args.runs + 1):
        cells = []
        for way in outputs:
            command, cwd = ways[way]
            base = exits_of(command, cwd, args.timeout, None)
            for kind, line in (("lines", f"print {PRINTED}"), ("raw", f"print {PRINTED} raw")):
                extra = exits_of(command, cwd, args.timeout, line) - base
                outputs[way][kind].append(extra / (PRINTED / 1024))
                cells.append(f"{way} {kind} {outputs[way][kind][-1]:.2f}")
        print(f"  run {run}: " + ", ".join(cells) + " (exits per KiB)", flush=True)

    print("\nDisk read: the first read of a 16 MiB file after boot (MB/s):")
    with tempfile.TemporaryDirectory() as scratch:
        image = disk_image(scratch)
        guest = stage_command("beyond/virtio-blk", [f"DISK={image}"])
        direct = direct_command(["-global", "virtio-mmio.force-legacy=false",
                                 "-drive", f"if=none,id=disk,format=raw,file={image}",
                                 "-device", "virtio-blk-device,drive=disk"])
        reads = {"guest": [], "direct": []}
        for run in range(1, args.runs + 1):
            reads["guest"].append(disk_read(*guest, args.timeout))
            reads["direct"].append(disk_read(*direct, args.timeout))
            print(f"  run {run}: guest {reads['guest'][-1]:.1f}, direct {reads['direct'][-1]:.1f}",
                  flush=True)

    print()
    for gap in GAPS:
        figures = {way: median(trips[way][gap]) for way in ways}
        print(f"Console round trip (ms) after {gap:g} s idle: virtio {figures['virtio']:.1f}, "
              f"final {figures['final']:.1f}, direct ttyS0 {figures['direct']:.1f}, "
              f"interrupts ttyS0 {figures['interrupts']:.1f}; "
              f"target <= {TARGET_ROUND_TRIP:g} {within(figures['virtio'], TARGET_ROUND_TRIP)}")
    for kind in ("lines", "raw"):
        v, f = median(outputs["virtio"][kind]), median(outputs["final"][kind])
        note = (f"; target <= {TARGET_EXITS:g} {within(v, TARGET_EXITS)}" if kind == "raw"
                else " (the terminal writes each line in two)")
        print(f"Console output (exits per KiB), {kind}: virtio {v:.2f}, final {f:.2f}{note}")
    g, d = median(reads["guest"]), median(reads["direct"])
    print(f"Disk read (MB/s): guest {g:.1f}, direct {d:.1f}, guest / direct {g / d:.2f}; "
          f"target >= {TARGET_DISK:g} {within(g / d, TARGET_DISK, below=False)}")
    print(f"Load average at the end: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    benchlib.main("bench_devices", main)
