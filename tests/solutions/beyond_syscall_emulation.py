"""Checks of beyond/syscall-emulation's exercises (see its README.md)."""

import os
import re
import subprocess
import tempfile
from pathlib import Path

from solutions import solution

PROGRAM_CC = os.environ.get("PROGRAM_CC", "riscv64-linux-gnu-gcc")

# What any program calling sysinfo() needs: the same line as the
# solution's programs/sysinfo.c prints.
SYSINFO = r"""
#include <stdio.h>
#include <sys/sysinfo.h>

int main(void)
{
	struct sysinfo info;
	if (sysinfo(&info) != 0) {
		perror("sysinfo");
		return 1;
	}
	unsigned long unit = info.mem_unit;
	printf("sysinfo: up %ld s, %u process%s, memory %lu KiB, %lu KiB free\n", info.uptime,
	       info.procs, info.procs == 1 ? "" : "es", info.totalram * unit / 1024,
	       info.freeram * unit / 1024);
	return 0;
}
"""

TRACED = re.compile(r"\[hypervisor\] ([a-z0-9_]+)\(0x[0-9a-f]+, 0x[0-9a-f]+, 0x[0-9a-f]+\) = (-?\d+)")


@solution("beyond/syscall-emulation", 1)
def sysinfo_tells_the_program_its_memory(qemu, stage):
    stage.build()
    with tempfile.TemporaryDirectory() as directory:
        program = Path(directory) / "sysinfo"
        (program.parent / "sysinfo.c").write_text(SYSINFO)
        subprocess.run([PROGRAM_CC, "-static", "-O2", "-o", program, program.parent / "sysinfo.c"],
                       check=True)
        run = qemu.run(stage, timeout=30, make_vars=[f"PROG={program}", "GUEST_MEM=32M"])
    # One process, the memory GUEST_MEM gave it, some of it in use already.
    line = run.expect_lines(re.compile(r"sysinfo: up (\d+) s, 1 process, memory (\d+) KiB, "
                                       r"(\d+) KiB free"))[0]
    assert int(line.group(2)) == 32 * 1024
    assert 0 < int(line.group(3)) < 32 * 1024
    run.expect_lines(re.compile(r"\[hypervisor\]   sysinfo +1"))
    run.expect_absent("not emulated", "PANIC")
    run.expect_exit(0)


@solution("beyond/syscall-emulation", 2)
def trace_shows_every_system_call(qemu, stage):
    stage.build()
    # Every call the exit table counts has its line, write's with what it wrote.
    run = qemu.run(stage, timeout=30, make_vars=["PROG=hello", "TRACE=1"])
    traced = [TRACED.fullmatch(line) for line in run.lines if TRACED.fullmatch(line)]
    total = int(run.expect_lines(re.compile(r"\[hypervisor\]   system calls +(\d+)"))[0].group(1))
    assert len(traced) == total > 5
    run.expect_lines("Hello, world! I am hello, with 0 arguments.",
                     re.compile(r"\[hypervisor\] write\(0x1, 0x[0-9a-f]+, 0x2c\) = 44"),
                     re.compile(r"\[hypervisor\] exit_group\(0x0, .*"))
    run.expect_exit(0)
    # QUIET=1 leaves the program and the trace, nothing else of ours.
    run = qemu.run(stage, timeout=30, make_vars=["PROG=hello", "TRACE=1", "QUIET=1"])
    ours = [line for line in run.lines if line.startswith("[hypervisor]")]
    assert len(ours) == len(traced) and all(TRACED.fullmatch(line) for line in ours)
    run.expect_exit(0)
