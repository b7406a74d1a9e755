"""beyond/syscall-emulation: a static Linux program runs with no guest
kernel, each system call a VM exit the hypervisor answers.

Each shipped program (beyond/syscall-emulation/programs/) runs both ways:
under the stage, and under Linux under final/ (the guest shell's `run`),
with the same output and exit status. Hostile programs
(beyond/syscall-emulation/tests/hostile.c) and bad files must be contained,
each with a defined report and exit status. The plain logic (ELF check,
initial stack, cpio, file tree, options) is tested on the host.
"""

import os
import re
import shutil
import subprocess

import pytest

from conftest import REPO, Stage, linux_version, make

STAGE = "beyond/syscall-emulation"  # `make test STEP=beyond/syscall-emulation`
STAGE_DIR = REPO / STAGE
PROGRAMS = STAGE_DIR / "build" / "programs"
PROGRAM_CC = os.environ.get("PROGRAM_CC", "riscv64-linux-gnu-gcc")
TIMEOUT = 20        # seconds, for one run of the stage
LINUX_TIMEOUT = 90  # for the Linux boot that runs every program
REFUSED, STOPPED = 1, 3  # QEMU's exit status: a PANIC (a refused file), a stopped guest
PROMPT = "guest$ "
KERNEL_MESSAGE = re.compile(r"\[ *\d+\.\d+\] ")

ENTERING = re.compile(r"\[hypervisor\] Entering the program at 0x[0-9a-f]+: .*")
ENDED = re.compile(r"\[hypervisor\] the program (exited with status \d+|was killed by signal .*)")


# ---------------------------------------------------------------- running

@pytest.fixture(scope="module")
def stage():
    """The stage and its shipped programs, built once."""
    return Stage(STAGE).build()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """tests/hostile.c, built as a static program."""
    binary = tmp_path_factory.mktemp("hostile") / "hostile"
    subprocess.run([PROGRAM_CC, "-static", "-O2", "-Wall", "-Wextra", "-Werror", "-o", binary,
                    STAGE_DIR / "tests" / "hostile.c"], check=True)
    return binary


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """A FILES= tree like the guest's root: bin/ with the shipped programs,
    dev/, proc/, sys/, init, and notes.txt as the tests write it there."""
    root = tmp_path_factory.mktemp("files")
    for directory in ("bin", "dev", "proc", "sys"):
        (root / directory).mkdir()
    (root / "init").write_text("the guest's shell\n")
    (root / "notes.txt").write_text("try catch continue\n")
    return root


def run(qemu, stage, program, args="", timeout=TIMEOUT, input=None, **make_vars):
    """Run `program` (a path, or a shipped program's name) under the stage."""
    variables = [f"PROG={program}", f"ARGS={args}"] + [f"{k}={v}" for k, v in make_vars.items()]
    return qemu.run(stage, timeout=timeout, make_vars=variables, input=input)


def program_output(result):
    """What the program printed: the lines between the hypervisor's
    `Entering the program` and its line saying how the program ended."""
    lines = result.lines
    start = next(i for i, line in enumerate(lines) if ENTERING.fullmatch(line))
    end = next(i for i in range(start + 1, len(lines)) if ENDED.fullmatch(lines[i]))
    return [line for line in lines[start + 1:end]
            if not line.startswith("[hypervisor]   at pc")]  # a killed program's report


def expect_killed(result, signal, why):
    """Killed by `signal`, with the report, and the shell's status for it."""
    result.expect_lines(re.compile(rf"\[hypervisor\] the program was killed by signal {signal} "
                                   rf"\(SIG[A-Z]+\): {why}"))
    result.expect_absent("PANIC", "unhandled", "exited with status")
    result.expect_exit(128 + signal)


# ---------------------------------------------------------------- both ways

class LinuxShell:
    """The guest shell under final/: run a program, type into it."""

    STATUS = re.compile(r"(exit status \d+|killed by signal \d+)\n")

    def __init__(self, machine):
        self.machine = machine
        machine.wait_for("Welcome to the guest userland.")
        machine.wait_for(PROMPT)

    def type(self, text, until):
        """Type `text`; return what was printed from then up to `until` (a regex)."""
        start = len(self.machine.output)
        self.machine.send(text)
        match = self.machine.wait_for(until, since=start)
        return self.machine.output[start:start + match.end()]

    def finish(self, since):
        """The status line of the program started at `since`, then the prompt."""
        match = self.machine.wait_for(self.STATUS, since=since)
        self.machine.wait_for(PROMPT, since=since + match.end())
        return match.group(1)

    def run(self, command):
        """`run PROG ARGS`: (the program's lines, its status line)."""
        start = len(self.machine.output)
        text = self.type(f"run {command}\n", self.STATUS)
        status = self.finish(start)
        lines = text.split("\n")[1:-2]  # without the echo of the command and the status
        # The kernel's own messages share the console (alloc's terabyte
        # makes Linux say it has not enough memory): they are not the program's.
        return [line for line in lines if not KERNEL_MESSAGE.match(line)], status


def status_line(result):
    """The line the guest shell prints for the same ending."""
    return (f"exit status {result.status}" if result.status < 128
            else f"killed by signal {result.status - 128}")


@pytest.fixture(scope="module")
def linux(request, stage):
    """One Linux boot under final/ for all the comparisons, powered off at
    the end. Its /bin holds the shipped programs (linux/build.sh)."""
    from conftest import Qemu
    if tuple(map(int, linux_version().split(".")[:2])) < (6, 6):
        # 6.1 prints through SBI v0.1, a character per call, and echoes what
        # is typed late, cut, in the middle of the program's output.
        pytest.skip("the comparison needs Linux 6.6 or later (its echo is in order)")
    final = Stage("final").build()
    machine = Qemu(final.qemu_command(), cwd=final.dir, timeout=LINUX_TIMEOUT)
    shell = LinuxShell(machine)
    yield shell
    machine.send("poweroff\n")
    machine.wait_exit()
    machine.kill()


@pytest.mark.parametrize("program, args", [
    ("hello", ""),
    ("hello", "try catch continue"),
    ("alloc", ""),
])
@pytest.mark.interactive
def test_a_program_prints_the_same_both_ways(qemu, stage, linux, program, args):
    ours = run(qemu, stage, program, args)
    assert ours.status is not None, "QEMU did not exit"
    theirs, status = linux.run(f"{program} {args}".strip())
    assert program_output(ours) == theirs
    assert status_line(ours) == status
    ours.expect_absent()


@pytest.mark.interactive
def test_files_are_read_the_same_both_ways(qemu, stage, linux, files):
    # Under Linux: the guest's root, with notes.txt written by its shell.
    linux.type("write /notes.txt try catch continue\n", re.compile(re.escape(PROMPT)))
    for name in (p.stem for p in (STAGE_DIR / "programs").glob("*.c")):
        shutil.copy(PROGRAMS / name, files / "bin" / name)
    args = "/ /bin /notes.txt bin/../notes.txt /nope /notes.txt/x"
    ours = run(qemu, stage, "files", args, FILES=files)
    theirs, status = linux.run(f"files {args}")
    assert program_output(ours) == theirs
    assert status_line(ours) == status == "exit status 1"
    assert "  notes.txt" in theirs and "files: /nope: No such file or directory" in theirs


@pytest.mark.interactive
def test_typed_lines_are_answered_the_same_both_ways(qemu, stage, linux):
    # Line by line, each answered before the next is typed; then Ctrl-D.
    typed = ["try catch", "", "continuation  re-entry"]
    answer = re.compile(r"(\d+: \d+ bytes, reversed: .*|\d+ lines, .* bytes)\n")

    def converse(type_):
        lines = []
        for line in typed:
            lines += type_(line + "\n", answer).split("\n")[:-1]
        lines += type_("\x04", re.compile(r"\d+ lines, \d+ words, \d+ bytes\n")).split("\n")[:-1]
        return lines

    # Ours: typed after the program started (what arrives before the
    # firmware sets up the serial port is lost, under either).
    machine = qemu.start(stage, timeout=TIMEOUT, make_vars=["PROG=lines"])
    machine.wait_for(re.compile(ENTERING.pattern + r"\n"))  # the whole line

    def type_ours(text, until):
        start = len(machine.output)
        machine.send(text)
        match = machine.wait_for(until, since=start)
        return machine.output[start:start + match.end()]

    ours = converse(type_ours)
    status = machine.wait_exit()

    start = len(linux.machine.output)
    linux.type("run lines\n", re.compile("run lines\n"))
    theirs = converse(linux.type)
    linux_status = linux.finish(start)

    assert ours == theirs
    assert ours[:2] == ["try catch", "1: 9 bytes, reversed: hctac yrt"]
    assert f"exit status {status}" == linux_status == "exit status 1"


# ---------------------------------------------------------------- the stage alone

def test_hello_reports_its_system_calls(qemu, stage):
    result = run(qemu, stage, "hello", "a b")
    assert program_output(result) == ["Hello, world! I am hello, with 2 arguments.",
                                      '  argv[1] = "a"', '  argv[2] = "b"']
    result.expect_lines("[hypervisor] the program exited with status 2",
                        re.compile(r"\[hypervisor\] it ran \d+\.\d{3} ms, .*"),
                        "[hypervisor] VM exits caught:",
                        re.compile(r"\[hypervisor\]   write +[1-9]\d*"),
                        re.compile(r"\[hypervisor\]   exit_group +1"))
    result.expect_absent()
    result.expect_exit(2)


def test_quiet_leaves_only_the_program(qemu, stage):
    result = run(qemu, stage, "hello", QUIET=1)
    assert result.output.rstrip("\n").endswith("Hello, world! I am hello, with 0 arguments.")
    assert "[hypervisor]" not in result.output
    result.expect_exit(0)


def test_standard_input_from_a_file(qemu, stage, tmp_path):
    text = tmp_path / "input.txt"
    text.write_text("one two\nthree\n")
    result = run(qemu, stage, "lines", STDIN=text)
    assert program_output(result) == ["1: 7 bytes, reversed: owt eno", "2: 5 bytes, reversed: eerht",
                                      "2 lines, 3 words, 14 bytes"]
    result.expect_exit(0)


def test_make_run_passes_its_own_input_on_whole(stage):
    # Bytes piped into QEMU before the firmware is up are lost (OpenSBI's
    # serial set-up drops the first); `make run` given a pipe packs it
    # with the program instead, as STDIN= does: nothing is lost.
    process = subprocess.Popen(["make", "-s", "-C", STAGE, "run", "PROG=lines", "QUIET=1"],
                               cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, start_new_session=True)
    try:
        out, _ = process.communicate(b"hello world\nsecond line\n", timeout=TIMEOUT)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, 9)
    lines = out.decode().replace("\r", "").splitlines()
    assert lines[-3:] == ["1: 11 bytes, reversed: dlrow olleh", "2: 11 bytes, reversed: enil dnoces",
                          "2 lines, 4 words, 24 bytes"], out.decode()
    assert process.returncode == 0


PERROR_PROGRAM = r"""
#define _GNU_SOURCE
#include <stdio.h>
#include <unistd.h>
int main(void) {
    if (fopen("/nope", "r") == NULL) perror("perror: /nope");  /* it asks for dup */
    if (dup3(dup(1), 5, 0) != 5 || dup3(5, 5, 0) != -1) return 2;
    write(5, "written to a copy of stdout\n", 28);
    return 0;
}
"""


def test_perror_and_copies_of_a_descriptor(qemu, stage, tmp_path):
    source = tmp_path / "perror.c"
    source.write_text(PERROR_PROGRAM)
    binary = tmp_path / "perror"
    subprocess.run([PROGRAM_CC, "-static", "-O2", "-Wall", "-Werror", "-o", binary, source], check=True)
    result = run(qemu, stage, binary)
    assert program_output(result) == ["perror: /nope: No such file or directory",
                                      "written to a copy of stdout"]
    result.expect_absent("not emulated", "PANIC")
    result.expect_exit(0)


@pytest.mark.interactive
def test_a_terminal_line_can_be_corrected_and_interrupted(qemu, stage):
    machine = qemu.start(stage, timeout=TIMEOUT, make_vars=["PROG=lines"])
    machine.wait_for(re.compile(ENTERING.pattern + r"\n"))  # the whole line
    machine.send("abx\x7fc\n")  # Backspace (DEL) takes the x back
    machine.wait_for("1: 3 bytes, reversed: cba\n")
    machine.send("\x03")  # Ctrl-C: SIGINT, as the terminal driver sends it
    assert machine.wait_exit() == 128 + 2
    assert "killed by signal 2 (SIGINT): Ctrl-C" in machine.output


@pytest.mark.parametrize("action", ["bad-pointers", "huge", "brk"])
def test_hostile_calls_are_refused(qemu, stage, hostile, files, action):
    result = run(qemu, stage, hostile, action, FILES=files)
    lines = program_output(result)
    result.expect_exit(0)
    result.expect_absent()
    if action == "bad-pointers":
        calls = [line for line in lines if " = " in line]
        assert len(calls) > 30
        assert all(line.endswith(" = -EFAULT") for line in calls), calls
        assert "its code unchanged: yes" in lines
    elif action == "huge":
        assert lines == ["mmap(1 TiB) = ENOMEM", "mmap(2^64 - 4096) = ENOMEM",
                         "mmap(2^64 - 1) = ENOMEM", "mmap(fixed at 0x80200000) = granted",
                         "mmap(fixed at 8 GiB) = ENOMEM", "mmap(0 bytes) = EINVAL",
                         "mremap(to 1 TiB) = ENOMEM", "munmap(0x80200000) = 0",
                         "mprotect(0x80200000, unmapped) = ENOMEM", "6000 mappings: then ENOMEM"]
    else:
        assert lines == ["brk(0) moves it: no", "brk(1) moves it: no",
                         "brk(into its data) moves it: no", "brk(0x80200000) moves it: no",
                         "brk(2^64 - 1) moves it: no", "brk(+64 KiB) moves it: yes",
                         "brk(back) moves it: yes", "grown again, reads as zeros: yes"]


def test_the_files_are_read_only(qemu, stage, hostile, files):
    result = run(qemu, stage, hostile, "read-only", FILES=files)
    assert [line for line in program_output(result) if not line.startswith("[")] == [
        "openat(notes.txt, O_WRONLY) = -EROFS", "openat(new, O_CREAT) = -EROFS",
        "openat(/, O_RDWR) = -EISDIR", "write(read-only file) = -EBADF",
        "read(directory) = -EISDIR", "mkdirat = -ENOSYS"]
    result.expect_exit(0)


def test_an_unknown_system_call_is_reported_once(qemu, stage, hostile):
    result = run(qemu, stage, hostile, "unknown")
    assert program_output(result) == [
        "[hypervisor] system call 999 (unknown) is not emulated: -ENOSYS",
        "syscall(999) = -ENOSYS", "syscall(999) again = -ENOSYS",
        "[hypervisor] system call 220 (clone) is not emulated: -ENOSYS", "clone = -ENOSYS",
        "[hypervisor] system call 198 (socket) is not emulated: -ENOSYS", "socket = -ENOSYS"]
    result.expect_lines(re.compile(r"\[hypervisor\]   clone +1"))
    result.expect_exit(0)


@pytest.mark.parametrize("action, signal, why", [
    ("jump-hypervisor", 11, "a jump to memory it may not execute"),
    ("jump-null", 11, "a jump to memory it may not execute"),
    ("store-code", 11, "a store to memory it may not write"),
    ("load-hypervisor", 11, "a load from memory it may not read"),
    ("recurse", 11, "a store to memory it may not write"),
    ("illegal", 4, "an instruction it may not execute"),
    ("privileged", 4, "an instruction it may not execute"),
    ("hypervisor-csr", 4, "an instruction it may not execute"),
    ("ebreak", 5, re.escape("a breakpoint (ebreak)")),
    ("abort", 6, "it sent it to itself"),
])
def test_a_misbehaving_program_is_killed(qemu, stage, hostile, action, signal, why):
    expect_killed(run(qemu, stage, hostile, action), signal, why)


@pytest.mark.interactive
def test_an_endless_loop_is_stopped_by_its_cpu_time(qemu, stage, hostile):
    result = run(qemu, stage, hostile, "loop", TIMEOUT=1)
    expect_killed(result, 24, re.escape("its CPU time is up (TIMEOUT=)"))
    ran = float(re.search(r"it ran (\d+\.\d+) ms", result.output).group(1))
    assert 1000 <= ran < 2500, ran  # the watchdog looks twice a second


def test_running_out_of_memory_kills_the_program(qemu, stage, hostile):
    result = run(qemu, stage, hostile, "eat", GUEST_MEM="16M")
    expect_killed(result, 9, re.escape("out of memory (mem=): no page left for it"))


# ---------------------------------------------------------------- bad files

def compiled(directory, name, source, *flags):
    """A program built from `source` (C text) with other flags, for the
    refusals below."""
    (directory / f"{name}.c").write_text(source)
    subprocess.run([PROGRAM_CC, "-O2", *flags, "-o", directory / name, directory / f"{name}.c"],
                   check=True)
    return directory / name


HELLO = "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n"
BIG = "static char big[4 << 20];\nint main(void) { big[0] = 1; return big[1]; }\n"


@pytest.mark.parametrize("kind, message", [
    ("text", "not an ELF file: give it a static riscv64 Linux program"),
    ("empty", "not an ELF file"),
    ("32-bit", "a 32-bit ELF file: build it for riscv64"),
    ("machine", "built for another machine than RISC-V: build it with riscv64-linux-gnu-gcc -static"),
    ("dynamic", "dynamically linked (it names an interpreter, ld.so): build it with -static"),
    ("outside", "a segment lies outside the addresses programs are loaded at here"),
    ("too-big", "too big: its segments need more memory than it may have (mem=)"),
    ("truncated", "corrupt: a segment runs past the end of the file"),
])
def test_a_bad_file_is_refused_before_it_runs(qemu, stage, tmp_path, kind, message):
    hello = PROGRAMS / "hello"
    path = tmp_path / kind
    make_vars = {}
    if kind == "text":
        path.write_text("#!/bin/sh\necho hello\n")
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "32-bit":
        data = bytearray(hello.read_bytes())
        data[4] = 1  # ELFCLASS32
        path.write_bytes(data)
    elif kind == "machine":
        data = bytearray(hello.read_bytes())
        data[18:20] = (62).to_bytes(2, "little")  # EM_X86_64
        path.write_bytes(data)
    elif kind == "dynamic":
        path = compiled(tmp_path, "dynamic", HELLO)
    elif kind == "outside":
        path = compiled(tmp_path, "outside", HELLO, "-static", "-Wl,-Ttext-segment=0x50000000")
    elif kind == "too-big":
        path, make_vars = compiled(tmp_path, "big", BIG, "-static"), {"GUEST_MEM": "2M"}
    else:
        path.write_bytes(hello.read_bytes()[:100_000])
    result = run(qemu, stage, path, **make_vars)
    result.expect_lines(re.compile(r"PANIC at src/program_loader\.cpp:\d+: cannot run this "
                                   rf"program: {re.escape(message)}.*"))
    assert "Entering the program" not in result.output
    result.expect_exit(REFUSED)


def test_bad_options_are_refused(qemu, stage):
    for append, message in [("speed=9 -- hello", "'speed=9': unknown option"),
                            ("timeout=soon -- hello", "'timeout=soon': timeout= wants a number"),
                            ("quiet", "'--': no program name after `--`")]:
        command = stage.qemu_command()
        command[command.index("-append") + 1] = append
        result = qemu.run_command(command, stage.dir, timeout=TIMEOUT)
        result.expect_lines(re.compile(rf"PANIC at src/main\.cpp:\d+: -append: {re.escape(message)}.*"))
        result.expect_exit(REFUSED)


def test_make_refuses_a_missing_program():
    result = subprocess.run(["make", "-s", "-C", STAGE_DIR, "qemu-command", "PROG=/no/such/file"],
                            capture_output=True, text=True)
    assert result.returncode != 0
    assert "error: PROG=/no/such/file: no such file" in result.stderr


# ---------------------------------------------------------------- on the host

HOST_TESTS = STAGE_DIR / "tests" / "host"


@pytest.mark.parametrize("name, sources", [
    ("elf_test", ["elf.cpp"]),
    ("initial_stack_test", ["initial_stack.cpp"]),
    ("cpio_test", ["cpio.cpp", "file_system.cpp"]),
    ("options_test", ["options.cpp"]),
])
def test_plain_logic_on_the_host(stage, tmp_path, name, sources):
    binary = tmp_path / name
    src = STAGE_DIR / "src"
    subprocess.run(["g++", "-std=c++20", "-Wall", "-Wextra", "-Werror", f"-I{src}", "-o", binary,
                    *[src / s for s in sources], HOST_TESTS / f"{name}.cpp"], check=True)
    result = subprocess.run([binary, PROGRAMS / "hello"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^\d+ passed, 0 failed$", result.stdout, re.MULTILINE), result.stdout
