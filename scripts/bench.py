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

class BootFailed(Exception):
    def __init__(self, why, output):
        super().__init__(why)
        self.output = output


# ---------------------------------------------------------------- building

def make(*args, capture=False):
    """Run make in the repository; stop the benchmark if it fails."""
    command = ["make", "--no-print-directory", *args]
    result = subprocess.run(command, cwd=REPO, stdout=subprocess.PIPE if capture else None,
                            text=True)
    if result.returncode != 0:
        sys.exit(f"bench: '{' '.join(command)}' failed")
    return result.stdout


def qemu_command(directory, kernel=None):
    """The QEMU command a Makefile's `qemu-command` target prints: a
    hypervisor as -kernel, its guest (KERNEL=, if given) as -initrd."""
    kernel_var = [f"KERNEL={kernel}"] if kernel else []
    line = make("-s", "-C", directory, *kernel_var, "qemu-command",
                capture=True).strip().splitlines()[-1]
    command = shlex.split(line)
    options = option_values(command)
    if "-kernel" not in options or "-initrd" not in options:
        sys.exit(f"bench: expected -kernel and -initrd in {directory}'s qemu-command: {line}")
    return command


def option_values(command):
    """{option: the word after it}, for QEMU's `-option value` pairs."""
    return {command[i]: command[i + 1] for i in range(len(command) - 1) if command[i].startswith("-")}


def without_hypervisor(command):
    """A hypervisor's QEMU command turned into a direct one: the file it
    gave the hypervisor as -initrd is now QEMU's -kernel."""
    image = option_values(command)["-initrd"]
    result, skip = [], False
    for word in command:
        if skip:
            skip = False
        elif word in ("-kernel", "-initrd"):
            skip = True
        else:
            result.append(word)
    return result + ["-kernel", image]


def linux_commands(kernel, append):
    """{way: QEMU command} for the Linux boots, and the kernel's path."""
    # Build the hypervisor, and the guest kernel if it is missing or stale
    # (a no-op when it is cached); its progress shows.
    make("-s", "-C", "final", *([f"KERNEL={kernel}"] if kernel else []), "all", "kernel")
    hypervisor = qemu_command("final", kernel) + ["-append", append]
    image = (STAGE / option_values(hypervisor)["-initrd"]).resolve()  # relative to final/
    return {"direct": without_hypervisor(hypervisor), "hypervisor": hypervisor}, image


def hypercall_commands():
    """{way: QEMU command} for the hypercall guest."""
    make("-s", "-C", "tests/guests", "build/hypercall.Image")
    make("-s", "-C", "final", "all")
    make("-s", "-C", "tests/floor", "all")
    final = qemu_command("final", HYPERCALL_GUEST)
    return {"firmware": without_hypervisor(final), "final": final,
            "floor": qemu_command("tests/floor", HYPERCALL_GUEST)}


# ---------------------------------------------------------------- running QEMU

class Qemu:
    """One QEMU run, in its own process group: what it prints (and when),
    what we type. Leaving the `with` block kills the group if QEMU is
    still running (a timeout, an error, Ctrl-C)."""

    def __init__(self, command, timeout):
        self.timeout = timeout
        self.start = time.monotonic()
        self.deadline = self.start + timeout
        self.output = bytearray()
        self.arrivals = []  # (end offset, seconds since start) of each piece read
        self.ended = False  # QEMU closed its output
        self.process = subprocess.Popen(command, cwd=STAGE, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        start_new_session=True)

    def __enter__(self):
        return self

    def __exit__(self, *exception):
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)  # QEMU and anything it started
            except ProcessLookupError:
                pass
            self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            try:
                pipe.close()
            except BrokenPipeError:
                pass

    def now(self):
        return time.monotonic() - self.start

    def _read(self, until):
        """Read what QEMU prints, waiting at most until `until` (monotonic)."""
        remaining = until - time.monotonic()
        if remaining <= 0 or self.ended:
            return
        ready, _, _ = select.select([self.process.stdout], [], [], remaining)
        if ready:
            data = os.read(self.process.stdout.fileno(), 65536)
            if not data:
                self.ended = True
                return
            self.output += data
            self.arrivals.append((len(self.output), self.now()))

    def arrived(self, offset):
        """When the byte at `offset` was read, in seconds since the start."""
        return next(t for end, t in self.arrivals if end > offset)

    def wait_for(self, marker, what, start=0):
        """Wait for `marker` in the output from `start` on. Returns (seconds
        since the start when it arrived, the offset just past it)."""
        while True:
            found = self.output.find(marker, start)
            if found >= 0:
                end = found + len(marker)
                return self.arrived(end - 1), end
            if self.ended:
                raise BootFailed(f"QEMU exited (status {self.process.wait()}) before {what}",
                                 self.output)
            if time.monotonic() >= self.deadline:
                raise BootFailed(f"no {what} within {self.timeout:g} s", self.output)
            self._read(self.deadline)

    def idle(self, seconds):
        """Type nothing for `seconds`, reading what QEMU prints meanwhile."""
        until = min(time.monotonic() + seconds, self.deadline)
        while time.monotonic() < until and not self.ended:
            self._read(until)

    def type(self, data):
        try:
            self.process.stdin.write(data)
            self.process.stdin.flush()
        except BrokenPipeError:
            pass  # QEMU is gone already: its exit status tells why

    def finish(self, what):
        """Wait for QEMU to exit with status 0; returns the output as text."""
        while not self.ended and time.monotonic() < self.deadline:
            self._read(self.deadline)
        try:
            status = self.process.wait(timeout=max(1.0, self.deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            raise BootFailed(f"QEMU did not exit within {self.timeout:g} s ({what})",
                             self.output) from None
        if status != 0:
            raise BootFailed(f"QEMU exited with status {status} ({what})", self.output)
        return self.output.decode("utf-8", errors="replace").replace("\r\n", "\n")


def boot_linux(command, timeout, idle=0.0):
    """Boot Linux to its shell's prompt, then power it off. With `idle`,
    leave the prompt alone that many seconds first, then type a key and
    time its echo. Returns a dict of what was measured."""
    with Qemu(command, timeout + idle) as qemu:
        banner_at, banner_end = qemu.wait_for(BANNER, "the banner")
        linux = qemu.output.find(LINUX_STARTS, 0, banner_end)  # -1 if the kernel is quiet
        kernel_at = qemu.arrived(linux) if linux >= 0 else None
        prompt_at, _ = qemu.wait_for(PROMPT, "the prompt", banner_end)
        echo = None
        if idle:
            qemu.idle(idle)
            idle_seconds = qemu.now() - prompt_at
            typed_at, typed_end = qemu.now(), len(qemu.output)
            qemu.type(KEY)
            echoed_at, _ = qemu.wait_for(KEY, "the echo of a key", typed_end)
            echo = echoed_at - typed_at
            qemu.type(REST)
        else:
            idle_seconds = 0.0
            qemu.type(KEY + REST)
        text = qemu.finish("after poweroff")
    return {"kernel": kernel_at, "banner": banner_at, "exits": exit_table(text),
            "idle": idle_seconds, "echo": echo, "text": text}


def time_hypercall(command, timeout):
    """Boot the hypercall guest; returns (microseconds per call, how the
    guest got that figure, its output)."""
    with Qemu(command, timeout) as qemu:
        qemu.wait_for(b" ns per call", "the time per call")
        text = qemu.finish("after the benchmark")
    found = PER_CALL.search(text)
    if not found:
        raise BootFailed("no time per call in the guest's output", qemu.output)
    return int(found.group(1)) / 1000, found.group(2), text


def exit_table(text):
    """final's table of VM exits, {row name: count}, in its order."""
    rows = re.findall(r"^\[hypervisor\]   (\S.*?) +(\d+)$", text, re.MULTILINE)
    return {name: int(count) for name, count in rows}


def opensbi_version(text):
    found = re.search(r"OpenSBI (v\S+)", text)
    return f"OpenSBI {found.group(1)}" if found else "OpenSBI (version not printed)"


# ---------------------------------------------------------------- printing

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


def cell(value, width, digits):
    return f"{value:{width}.{digits}f}" if value is not None else f"{'-':>{width}}"


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def show_failure(what, failure):
    print(f"\nbench: {what}: {failure}. Its last lines:")
    text = failure.output.decode("utf-8", errors="replace").replace("\r", "")
    print("\n".join("  | " + line for line in text.splitlines()[-15:]))


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
            except BootFailed as failure:
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
            except BootFailed as failure:
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
    print(f"Benchmark: {datetime.date.today().isoformat()}, {machine_description()}, "
          f"{qemu_version(any_command[0])}; {args.runs} run{'s' * (args.runs != 1)}, "
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


def interrupted(signum, frame):
    raise KeyboardInterrupt  # so that leaving `with Qemu` kills the QEMU that is running


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, interrupted)
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("\nbench: interrupted", file=sys.stderr)
        sys.exit(130)
