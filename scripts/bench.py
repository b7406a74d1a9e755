#!/usr/bin/env python3
"""How much does our hypervisor cost? Boot the same Linux kernel on the same
QEMU machine twice, once directly on OpenSBI and once as the guest of final/,
and time both to the guest userland's banner.

    scripts/bench.py [--runs N] [--timeout SECONDS] [--kernel /abs/path/Image]
                     [--append "COMMAND LINE"]

`make bench` runs it. The two ways of booting:

  direct      QEMU loads the kernel itself (-kernel Image);
  hypervisor  the exact command `make -C final run` uses (final's
              `qemu-command` target): our hypervisor, with the kernel as -initrd.

Both get the same kernel command line through QEMU's -append (final/ passes
its own -append on to the guest): by default the one final/ uses when none
is given; --append "console=hvc0 earlycon=sbi quiet" compares quiet boots.

Both use the same machine flags (the direct command is derived from
final's). The runs alternate, direct then hypervisor, so that anything else
slowing the machine down meanwhile hits both sides alike. Each run is timed
from starting QEMU to the line `Welcome to the guest userland.`; then the
script types `poweroff` at the prompt and waits for QEMU to exit with status
0. A hypervisor run also prints its table of VM exits at power-off, which is
parsed here. Every QEMU has a time limit, and runs in its own process group,
which is killed when the limit passes (or when the script is interrupted).
"""

import argparse
import datetime
import os
import platform
import re
import select
import shlex
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ left in scripts/
sys.path.insert(0, str(Path(__file__).resolve().parent))
import loc  # noqa: E402  (scripts/loc.py, next to this file)

REPO = Path(__file__).resolve().parent.parent
STAGE = REPO / "final"
APPEND = "console=hvc0 earlycon=sbi"  # what final/src/main.cpp gives the guest
LINUX_STARTS = b"Linux version"
BANNER = b"Welcome to the guest userland."
PROMPT = b"guest$ "
TARGET = 1.2  # the hypervisor boot should take at most 1.2 times the direct one


class BootFailed(Exception):
    def __init__(self, why, output):
        super().__init__(why)
        self.output = output


def make(*args, capture=False):
    """Run make in the repository; stop the benchmark if it fails."""
    command = ["make", "--no-print-directory", *args]
    result = subprocess.run(command, cwd=REPO, stdout=subprocess.PIPE if capture else None,
                            text=True)
    if result.returncode != 0:
        sys.exit(f"bench: '{' '.join(command)}' failed")
    return result.stdout


def commands(kernel, append):
    """The hypervisor's QEMU command (as `make -C final run` runs it) and the
    direct one derived from it; both run in final/."""
    kernel_var = [f"KERNEL={kernel}"] if kernel else []
    # Build the hypervisor, and the guest kernel if it is missing or stale
    # (a no-op when it is cached); its progress shows.
    make("-s", "-C", "final", *kernel_var, "all", "kernel")
    line = make("-s", "-C", "final", *kernel_var, "qemu-command", capture=True).strip().splitlines()[-1]
    hypervisor = shlex.split(line)
    options = option_values(hypervisor)
    if "-kernel" not in options or "-initrd" not in options:
        sys.exit(f"bench: expected -kernel and -initrd in final's qemu-command: {line}")
    image = options["-initrd"]
    direct = without_options(hypervisor, ("-kernel", "-initrd")) + ["-kernel", image]
    return direct + ["-append", append], hypervisor + ["-append", append], image


def option_values(command):
    """{option: the word after it}, for QEMU's `-option value` pairs."""
    return {command[i]: command[i + 1] for i in range(len(command) - 1) if command[i].startswith("-")}


def without_options(command, names):
    """The command without the options `names` and their values."""
    result, skip = [], False
    for word in command:
        if skip:
            skip = False
        elif word in names:
            skip = True
        else:
            result.append(word)
    return result


def boot(command, timeout):
    """Boot once. Returns (seconds to the kernel's first line, seconds to the
    banner, everything QEMU printed)."""
    start = time.monotonic()
    deadline = start + timeout
    qemu = subprocess.Popen(command, cwd=STAGE, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    output = bytearray()
    linux_at = banner_at = None
    after_banner = 0     # where the prompt is looked for, once the banner is there
    typed = False        # `poweroff` sent
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BootFailed(f"no {'power-off' if banner_at else 'banner'} within {timeout} s",
                                 output)
            ready, _, _ = select.select([qemu.stdout], [], [], remaining)
            if not ready:
                continue
            data = os.read(qemu.stdout.fileno(), 65536)
            now = time.monotonic() - start
            if not data:  # QEMU closed its output: it has ended
                break
            searched_from = max(0, len(output) - len(BANNER))  # a line may come in pieces
            output += data
            if linux_at is None and LINUX_STARTS in output[searched_from:]:
                linux_at = now
            if banner_at is None and BANNER in output[searched_from:]:
                banner_at = now
                after_banner = output.index(BANNER) + len(BANNER)
            if banner_at is not None and not typed and PROMPT in output[after_banner:]:
                typed = True
                try:
                    qemu.stdin.write(b"poweroff\n")
                    qemu.stdin.flush()
                except BrokenPipeError:
                    pass  # QEMU is gone already: its exit status tells why
        status = qemu.wait(timeout=max(1.0, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        raise BootFailed(f"QEMU did not exit within {timeout} s", output) from None
    finally:
        if qemu.poll() is None:
            try:
                os.killpg(qemu.pid, signal.SIGKILL)  # QEMU and anything it started
            except ProcessLookupError:
                pass
            qemu.wait()
        for pipe in (qemu.stdin, qemu.stdout):
            try:
                pipe.close()
            except BrokenPipeError:
                pass
    text = output.decode("utf-8", errors="replace").replace("\r\n", "\n")
    if banner_at is None:
        raise BootFailed(f"QEMU exited with status {status} before the banner", output)
    if status != 0:
        raise BootFailed(f"QEMU exited with status {status} after the banner", output)
    return linux_at, banner_at, text


def exit_table(text):
    """The hypervisor's table of VM exits, {row name: count}, in its order."""
    rows = re.findall(r"^\[hypervisor\]   (\S.*?) +(\d+)$", text, re.MULTILINE)
    return {name: int(count) for name, count in rows}


def machine_description():
    cpu = platform.machine()
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            models = re.findall(r"^model name\s*:\s*(.*)$", cpuinfo.read(), re.MULTILINE)
        if models:
            cpu = models[0]
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} CPUs"


def qemu_version(qemu):
    try:
        first = subprocess.run([qemu, "--version"], capture_output=True, text=True).stdout
        return first.splitlines()[0]
    except (OSError, IndexError):
        return qemu


def shown(command):
    return shlex.join(command)


def seconds(value):
    return f"{value:8.3f}" if value is not None else f"{'-':>8}"


def median_of(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def difference(medians, end, start=None):
    """How much longer the hypervisor took between two marks (medians)."""
    try:
        span = {kind: m[end] - (m[start] if start is not None else 0) for kind, m in medians.items()}
        return f"{span['hypervisor'] - span['direct']:+.3f} s"
    except TypeError:  # a kernel that never printed `Linux version`
        return "? s"


def main():
    parser = argparse.ArgumentParser(description="Time Linux booting directly on QEMU and "
                                     "under final/'s hypervisor.")
    parser.add_argument("--runs", type=int, default=5, help="boots of each kind (default 5)")
    parser.add_argument("--timeout", type=float, default=60,
                        help="seconds one QEMU run may take before it is killed (default 60)")
    parser.add_argument("--kernel", help="another kernel Image (an absolute path), "
                        "as KERNEL= for make")
    parser.add_argument("--append", default=APPEND,
                        help=f"the kernel command line of both boots (default '{APPEND}', "
                        "the one final/ gives the guest when QEMU has no -append)")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    direct, hypervisor, image = commands(args.kernel, args.append)
    print(f"Benchmark: {datetime.date.today().isoformat()}, {machine_description()}, "
          f"{qemu_version(hypervisor[0])}")
    print(f"Kernel: {image} (from final/), {args.runs} boot{'s' * (args.runs != 1)} each way, alternating; "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"  direct:     {shown(direct)}")
    print(f"  hypervisor: {shown(hypervisor)}")
    print("Seconds from starting QEMU to the kernel's first line (`Linux version`) and to the banner:")
    print(f"  {'':6}   {'direct':^17}   {'hypervisor':^17}".rstrip())
    print(f"  {'run':>6}   {'kernel':>8} {'banner':>8}   {'kernel':>8} {'banner':>8}   {'VM exits':>8}")

    times = {"direct": [], "hypervisor": []}  # (kernel's first line, banner) per run
    tables = []
    for run in range(1, args.runs + 1):
        for kind, command in (("direct", direct), ("hypervisor", hypervisor)):
            try:
                linux_at, banner_at, text = boot(command, args.timeout)
            except BootFailed as failure:
                print(f"\nbench: run {run}, {kind}: {failure}. Its last lines:")
                text = failure.output.decode("utf-8", errors="replace").replace("\r", "")
                print("\n".join("  | " + line for line in text.splitlines()[-15:]))
                return 1
            times[kind].append((linux_at, banner_at))
            if kind == "hypervisor":
                tables.append(exit_table(text))
        cells = [seconds(t) for kind in times for t in times[kind][-1]]
        print(f"  {run:6}   {cells[0]} {cells[1]}   {cells[2]} {cells[3]}   "
              f"{tables[-1].get('total', '?'):>8}", flush=True)

    medians = {kind: [median_of(t[i] for t in runs) for i in (0, 1)] for kind, runs in times.items()}
    cells = [seconds(t) for kind in medians for t in medians[kind]]
    print(f"  {'median':>6}   {cells[0]} {cells[1]}   {cells[2]} {cells[3]}")
    direct_median, hypervisor_median = medians["direct"][1], medians["hypervisor"][1]
    ratio = hypervisor_median / direct_median
    verdict = "within" if ratio <= TARGET else "NOT within"
    print(f"Hypervisor / direct: {ratio:.2f} ({verdict} the target of {TARGET:.1f}): "
          f"{hypervisor_median - direct_median:+.3f} s in all, "
          f"{difference(medians, 0)} before the kernel's first line, "
          f"{difference(medians, 1, 0)} after it")

    totals = [table.get("total", 0) for table in tables]
    typical = sorted(range(len(totals)), key=lambda i: totals[i])[(len(totals) - 1) // 2]
    print(f"VM exits of a boot, from entry to power-off (run {typical + 1}, the median "
          f"total; all runs: {', '.join(map(str, totals))}):")
    for name, count in tables[typical].items():
        print(f"  {name:12} {count:8}")

    sums = loc.totals(loc.count(STAGE / "src"))
    print(f"Code: final/src has {sums['C++']} lines of C++ and {sums['assembly']} of assembly, "
          f"{sums['total']} in all ({'within' if sums['total'] <= loc.AIM else 'over'} the "
          f"aim of {loc.AIM:,}; make loc for each file)")
    return 0


def interrupted(signum, frame):
    raise KeyboardInterrupt  # so that `finally` kills the QEMU that is running


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, interrupted)
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        sys.exit(130)
