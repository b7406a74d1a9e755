"""final/: hostile guests and bad input. A hypervisor exists to keep a guest
in its box; these tests try to get out.

Each test guest (tests/guests/) is a small bare-metal program dressed as a
Linux Image, that final/ boots like a kernel and that does one wrong or
hostile thing. The hypervisor must refuse it with a report, or answer it
correctly, and never fault itself. The policy for each case, and why, is in
final/ISOLATION.md; the tests below are its executable form.
"""

import functools
import os
import random
import re
import struct
import subprocess

import pytest

from conftest import REPO, Stage, make

# final/ and the stages that keep its defences.
HOSTILE_STAGES = ["final", "beyond/snapshot", "beyond/interrupts", "beyond/virtio"]
pytestmark = pytest.mark.parametrize("stage", HOSTILE_STAGES)

GUESTS = REPO / "tests" / "guests"
CROSS_COMPILE = os.environ.get("CROSS_COMPILE", "riscv64-linux-gnu-")

GUEST_NAMES = ["memory", "uart", "privileged", "mmu", "sbi", "fill_ram", "stuck"]
LOAD_ADDRESS = 0x80200000  # guest RAM base + text_offset: where final/ loads a kernel
RAM_BASE, RAM_END = 0x80000000, 0x84000000
UART = 0x10000000

HEADER = struct.Struct("<IIQQQIIQQII")  # the 64-byte RISC-V Image header
ARGUMENTS = struct.Struct("<24sQ")      # start.S: action, address, at offset 0x40
ARGUMENTS_OFFSET = 0x40

STOPPED = 3      # QEMU's exit status when the hypervisor stops a guest (power.hpp)
TIMEOUT = 10     # seconds, for a guest that ends by itself
STUCK_TIMEOUT = 4
LOGGED_UNSUPPORTED = 8  # LogLimit::PRINTED in final/src/print.hpp


# ---------------------------------------------------------------- guests

class Guest:
    """A built test guest: its Image, and its ELF for the symbol table."""

    def __init__(self, name):
        self.name = name
        self.image = GUESTS / "build" / f"{name}.Image"
        self.elf = GUESTS / "build" / f"{name}.elf"

    @functools.cached_property
    def symbols(self):
        out = subprocess.run([f"{CROSS_COMPILE}nm", self.elf], capture_output=True, text=True,
                             check=True).stdout
        fields = (line.split() for line in out.splitlines())
        return {f[2]: int(f[0], 16) for f in fields if len(f) == 3}

    def pc(self, label):
        return self.symbols[label]

    def instruction(self, label):
        """The 32-bit instruction at `label`, as the Image holds it."""
        offset = self.pc(label) - LOAD_ADDRESS
        return int.from_bytes(self.image.read_bytes()[offset:offset + 4], "little")

    def with_arguments(self, directory, action, address=0):
        """A copy of the Image told what to do (start.S: test_arguments)."""
        data = bytearray(self.image.read_bytes())
        ARGUMENTS.pack_into(data, ARGUMENTS_OFFSET, action.encode(), address)
        path = directory / f"{self.name}-{action}-{address:#x}.Image"
        path.write_bytes(data)
        return path


@pytest.fixture(scope="module")
def built():
    """Build the guests and the stages once (with any existing KERNEL=,
    so that the Linux kernel is not needed)."""
    make("-C", "tests/guests")
    for stage in HOSTILE_STAGES:
        Stage(stage, kernel=Guest("memory").image).build()


def boot(qemu, stage, tmp_path, guest, action, address=0, timeout=TIMEOUT, input=None):
    image = Guest(guest).with_arguments(tmp_path, action, address)
    return qemu.run(Stage(stage, kernel=image), timeout=timeout, input=input)


def boot_file(qemu, stage, path, timeout=TIMEOUT, qemu_args=()):
    return qemu.run(Stage(stage, kernel=path), timeout=timeout, qemu_args=qemu_args)


# ---------------------------------------------------------------- checks

def statistics(run):
    """The hypervisor's table of VM exits, as {kind: count}."""
    table = re.findall(r"^\[hypervisor\]   ([A-Za-z ]+?) +(\d+)$", run.output, re.MULTILINE)
    return {kind: int(count) for kind, count in table}


def report(why, cause, scause, pc, stval, guest_physical=None):
    """The lines of the hypervisor's report when it stops a guest."""
    lines = [f"[hypervisor] {why}: {cause} (scause {scause:#x})",
             # htinst: 0 on QEMU 7.2; hardware may fill it
             re.compile(re.escape(f"[hypervisor]   guest pc {pc:#x}, stval {stval:#x}, htinst ")
                        + "0x[0-9a-f]+")]
    if guest_physical is not None:
        lines.append(f"[hypervisor]   guest physical address {guest_physical:#x}")
    return lines


def expect_stopped(run, *report_lines):
    run.expect_lines(*report_lines, "The guest stopped.")
    assert statistics(run)["stopped"] == 1
    run.expect_absent("PANIC", "FAIL", "the guest powered off")
    run.expect_exit(STOPPED)


def expect_powered_off(run):
    run.expect_lines("[hypervisor] the guest powered off")
    assert statistics(run)["stopped"] == 0
    run.expect_absent("PANIC", "FAIL", "The guest stopped.")
    run.expect_exit(0)


def test_guests_are_linux_images(stage, built):
    for name in GUEST_NAMES:
        data = Guest(name).image.read_bytes()
        (code0, _, text_offset, image_size, flags, version, _, _, magic, magic2, _) = \
            HEADER.unpack_from(data)
        assert code0 & 0x7f == 0x6f, f"{name}: code0 is not a jump"
        assert (text_offset, flags, version) == (0x200000, 0, 2), name
        assert image_size >= len(data), name
        assert magic.to_bytes(8, "little") == b"RISCV\0\0\0", name
        assert magic2.to_bytes(4, "little") == b"RSC\x05", name


# ---------------------------------------------------------------- memory

OUTSIDE_RAM = [
    0x0,             # the bottom of the address space
    0x100000,        # where the host has QEMU's test device
    0x7ffff000,      # just below guest RAM
    0x84000000,      # just past its end
    0x1_0000_0000,
    0x1ff_ffff_f000,  # the last page Sv39x4 can map
    0x200_0000_0000,  # beyond what it can
]
NOT_OWNED = "the guest accessed memory it does not own"


@pytest.mark.parametrize("address", OUTSIDE_RAM, ids=hex)
@pytest.mark.parametrize("action, label, cause, scause", [
    ("load", "bad_load", "load guest-page fault", 0x15),
    ("store", "bad_store", "store guest-page fault", 0x17),
], ids=["load", "store"])
def test_a_load_or_store_outside_ram_stops_the_guest(qemu, stage, built, tmp_path, action, label,
                                                    cause, scause, address):
    run = boot(qemu, stage, tmp_path, "memory", action, address)
    expect_stopped(run, *report(NOT_OWNED, cause, scause, Guest("memory").pc(label), address,
                                address))


@pytest.mark.parametrize("address", [0x0, 0x7ffff000, 0x84000000, 0x1ff_ffff_f000], ids=hex)
def test_a_jump_outside_ram_stops_the_guest(qemu, stage, built, tmp_path, address):
    run = boot(qemu, stage, tmp_path, "memory", "jump", address)
    # The fetch at the target faults: the guest's pc is the target.
    expect_stopped(run, *report(NOT_OWNED, "instruction guest-page fault", 0x14, address, address,
                                address))


def test_no_guest_address_reaches_the_hypervisor(qemu, stage, built, tmp_path):
    run = boot(qemu, stage, tmp_path, "fill_ram", "fill-ram")
    # Guest RAM is backed by the hypervisor's heap, above its code, data and stack.
    host = int(run.expect_lines(re.compile(
        r"  ram    0x80000000\.\.0x84000000 RAM  64 MiB at host (0x[0-9a-f]+)"))[0].group(1), 16)
    hypervisor = subprocess.run([f"{CROSS_COMPILE}nm", Stage(stage).elf], capture_output=True,
                                text=True, check=True).stdout
    symbols = {f[2]: int(f[0], 16) for f in map(str.split, hypervisor.splitlines()) if len(f) == 3}
    assert symbols["__end"] <= host
    run.expect_lines(
        "fill: the hypervisor's banner is nowhere in guest RAM",
        f"fill: overwriting guest RAM {RAM_BASE:#x}..{RAM_END:#x}",
        "survivor: the hypervisor still answers right: SBI 2.0, HSM present, hart 0 started; "
        "the pattern is intact",
    )
    expect_powered_off(run)


def test_a_guest_that_overwrites_its_own_image_and_stack(qemu, stage, built, tmp_path):
    guest = Guest("fill_ram")
    run = boot(qemu, stage, tmp_path, "fill_ram", "overwrite-self")
    run.expect_lines(
        f"fill: overwriting our image and stack {guest.pc('__image_start'):#x}.."
        f"{guest.pc('__image_end'):#x}",
        "survivor: the hypervisor still answers right: SBI 2.0, HSM present, hart 0 started; "
        "the pattern is intact",
    )
    expect_powered_off(run)


# ---------------------------------------------------------------- the UART

def test_uart_accesses_of_every_width(qemu, stage, built, tmp_path):
    run = boot(qemu, stage, tmp_path, "uart", "uart-widths")
    run.expect_lines(
        "uart: lbu +5 = 0x60",                  # line status: ready to send
        "uart: ld +0 = 0x0",                    # receive buffer: nothing typed
        "uart: lb +7 = 0xffffffffffffffa5",     # scratch, as the guest wrote it, sign-extended
        "uart: lbu +7 = 0xa5",
        "uart: lw +4 = 0x3",                    # sw 0x12345603: the register keeps its low byte
        "uart: lh +4 = 0xb",
        "uart: c.lw +4 = 0xb",
        "ok",                                   # sd, c.sd, sb to the transmit register
        "uart: ld +8 = 0x0",                    # no register at +8..+0xff: reads 0,
        "uart: lwu +0x80 = 0x0",                # whatever was written there
        "uart: lb +0xff = 0x0",
        "uart: ld +0xf8 = 0x0",
        "uart: done",
    )
    assert statistics(run)["MMIO"] == 20
    expect_powered_off(run)


@pytest.mark.parametrize("action, label, cause, scause, address", [
    ("misaligned-load", "misaligned_lw", "load guest-page fault", 0x15, UART + 1),
    ("misaligned-load", "misaligned_lw", "load guest-page fault", 0x15, UART + 6),
    ("misaligned-store", "misaligned_sd", "store guest-page fault", 0x17, UART + 4),
    ("misaligned-store", "misaligned_sd", "store guest-page fault", 0x17, UART + 0xfc),
], ids=["lw+1", "lw+6", "sd+4", "sd+0xfc"])
def test_a_misaligned_uart_access_stops_the_guest(qemu, stage, built, tmp_path, action, label,
                                                  cause, scause, address):
    run = boot(qemu, stage, tmp_path, "uart", action, address)
    expect_stopped(run, *report("a misaligned device access", cause, scause,
                                Guest("uart").pc(label), address, address))


# ---------------------------------------------------------------- privileged instructions

REFUSED = "[hypervisor] the guest may not execute {:#x} at pc {:#x}: illegal instruction for it"

# Instructions VS-mode may not execute. Those that trap to the hypervisor
# (virtual instruction) it passes on; the others reach the guest directly.
FORBIDDEN = [
    ("priv_hgatp", True),
    ("priv_hstatus", True),
    ("priv_hfence_gvma", True),
    ("priv_hlv", True),
    ("priv_rdcycle", True),
    ("priv_mstatus", False),
    ("priv_unimp", False),
]


def test_privileged_instructions_are_illegal_instructions_for_the_guest(qemu, stage, built,
                                                                        tmp_path):
    guest = Guest("privileged")
    run = boot(qemu, stage, tmp_path, "privileged", "privileged")
    expected = []
    for label, through_hypervisor in FORBIDDEN:
        pc, instruction = guest.pc(label), guest.instruction(label)
        if through_hypervisor:
            expected.append(REFUSED.format(instruction, pc))
        expected.append(f"trap: scause 0x2, stval {instruction:#x}, sepc {pc:#x}")
    run.expect_lines(*expected, "privileged: done")
    assert statistics(run)["illegal insn"] == sum(through for _, through in FORBIDDEN)
    expect_powered_off(run)


def test_a_guest_without_a_trap_handler_ends_up_stopped(qemu, stage, built, tmp_path):
    guest = Guest("privileged")
    run = boot(qemu, stage, tmp_path, "privileged", "no-handler")
    label = "no_handler_hgatp"
    run.expect_lines(REFUSED.format(guest.instruction(label), guest.pc(label)))
    # stvec = 0: the guest's "handler" is at guest physical 0, outside its RAM.
    expect_stopped(run, *report(NOT_OWNED, "instruction guest-page fault", 0x14, 0, 0, 0))


def test_user_mode_stays_user_mode(qemu, stage, built, tmp_path):
    # An MMIO exit from the guest's user mode returns to user mode (not to
    # its kernel's mode), where a supervisor CSR and the cycle counter trap.
    guest = Guest("privileged")
    run = boot(qemu, stage, tmp_path, "privileged", "user-mode")
    sstatus, rdcycle = ("user_sstatus", "user_rdcycle")
    run.expect_lines(
        f"trap: scause 0x2, stval {guest.instruction(sstatus):#x}, sepc {guest.pc(sstatus):#x}, "
        "from user mode",
        REFUSED.format(guest.instruction(rdcycle), guest.pc(rdcycle)),
        f"trap: scause 0x2, stval {guest.instruction(rdcycle):#x}, sepc {guest.pc(rdcycle):#x}, "
        "from user mode",
        f"user mode: ecall at {guest.pc('user_ecall'):#x}, s1 (line status) = 0x60",
    )
    assert statistics(run)["MMIO"] == 1
    expect_powered_off(run)


# ---------------------------------------------------------------- the guest's MMU

@pytest.mark.parametrize("action, mapping", [
    ("mmio-through-mmu", ""),
    ("execute-only", ", execute-only"),
], ids=["read-execute", "execute-only"])
def test_device_access_from_a_mapped_page(qemu, stage, built, tmp_path, action, mapping):
    run = boot(qemu, stage, tmp_path, "mmu", action)
    run.expect_lines(f"mmu: on, device_read mapped at 0x40000000{mapping}",
                     "mmu: line status read by code at 0x40000000 = 0x60")
    expect_powered_off(run)


def test_an_instruction_the_hypervisor_cannot_read_stops_the_guest(qemu, stage, built, tmp_path):
    # The guest unmapped its code page without sfence.vma. A CPU that still
    # runs it from its TLB (QEMU 7.2) makes a device access whose
    # instruction the hypervisor's hlvx cannot read: it used to fault in the
    # hypervisor itself (a PANIC); it must stop the guest. On QEMU 10 the
    # hypervisor needs no fetch (htinst holds the instruction), and the CPU
    # forgets the page at the exit: the fetch of the lbu, or of the ret
    # after it, faults in the guest, which reports it.
    run = boot(qemu, stage, tmp_path, "mmu", "stale-mapping")
    run.expect_lines("mmu: line status read by code at 0x40000000 = 0x60")
    if "mmu: trap:" in run.output:
        run.expect_lines(re.compile(r"mmu: trap: scause 0xc, sepc 0x4000000[04]"))  # fetch fault
        expect_powered_off(run)
    else:
        expect_stopped(run, *report("cannot read the guest's instruction at its pc",
                                    "load guest-page fault", 0x15, 0x40000000, UART + 5, UART + 5))


# ---------------------------------------------------------------- SBI

def not_supported(extension, function):
    return f"[hypervisor] SBI call not supported: extension {extension:#x}, function {function}"


def test_sbi_calls_with_bad_ids_and_arguments(qemu, stage, built, tmp_path):
    run = boot(qemu, stage, tmp_path, "sbi", "sbi-calls")
    run.expect_lines(
        "sbi: get_spec_version -> error 0, value 0x2000000",
        "sbi: probe_extension(TIME) -> error 0, value 0x1",
        "sbi: probe_extension(0x12345678) -> error 0, value 0x0",
        not_supported(0x10, 99),
        "sbi: BASE function 99 -> error -2, value 0x0",
        not_supported(0x12345678, 0),
        "sbi: extension 0x12345678 -> error -2, value 0x0",
        not_supported(0xf, 0),
        "sbi: legacy extension 0xf -> error -2, value 0x0",
        not_supported(0x54494d45, 1),
        "sbi: TIME function 1 -> error -2, value 0x0",
        "sbi: hart_start(5) -> error -3, value 0x0",           # no such hart
        "sbi: hart_start(0) -> error -6, value 0x0",           # already started
        "sbi: hart_get_status(0) -> error 0, value 0x0",       # STARTED
        "sbi: hart_get_status(1) -> error -3, value 0x0",
        not_supported(0x48534d, 1),
        "sbi: hart_stop -> error -2, value 0x0",               # the only hart stays
        "sbi: send_ipi(mask 0x2, base 0) -> error -3, value 0x0",
        "sbi: system_reset(type 0x99) -> error -3, value 0x0",  # not a reset: no reset
        "sbi: done",
        "[hypervisor] SBI calls not supported: 5",
    )
    expect_powered_off(run)


INVALID_PARAM = -3
BAD_BUFFERS = ["below RAM", "past the end of RAM", "across the end of RAM", "at the UART",
               "at the host's test device", "wrapping around 2^64", "a size that wraps",
               "the high half of the address"]


@pytest.mark.interactive
def test_debug_console_buffers_must_be_guest_ram(qemu, stage, built, tmp_path):
    # Each bad buffer is refused for writing and for reading, and nothing
    # of it is printed; good ones work, and what was typed arrives. (Typed
    # once the guest runs: keys typed before OpenSBI sets up the UART are
    # lost when it resets the UART's receive FIFO.)
    image = Guest("sbi").with_arguments(tmp_path, "dbcn")
    machine = qemu.start(Stage(stage, kernel=image), timeout=TIMEOUT)
    machine.wait_for("dbcn: byte by byte")
    run = qemu.finish(machine, input="typed by the test\n")
    refused = [f"dbcn: {what}: write -> error {INVALID_PARAM}, read -> error {INVALID_PARAM}"
               for what in BAD_BUFFERS]
    first = run.lines.index(refused[0])
    assert run.lines[first:first + len(refused)] == refused  # and nothing printed between
    run.expect_lines(
        "dbcn: this line went out in one call",
        "dbcn: write -> error 0, value 37",
        "dbcn: byte by byte",
        "dbcn: read 'typed by the test'",
        "dbcn: function 3 -> error -2",
    )
    # The refused calls count as calls, but moved no byte.
    assert re.search(r"^\[hypervisor\] debug console: \d+ writes of 56 bytes, \d+ reads of 18 "
                     r"bytes$", run.output, re.MULTILINE), run.output
    expect_powered_off(run)


@pytest.mark.interactive
def test_set_timer_fires_at_once_in_the_past_and_never_when_taken_back(qemu, stage, built, tmp_path):
    run = boot(qemu, stage, tmp_path, "sbi", "timer-in-the-past")
    # Whether a due timer shows in the guest's sip is the CPU's to say
    # (QEMU 7.2: never); the SBI timer must show as the CPU's own does.
    shown = run.expect_lines(re.compile(r"timer: the CPU's own timer, due: sip.STIP ([01])"))[0]
    stip = shown.group(1)
    run.expect_lines(
        f"timer: interrupt, scause 0x8000000000000005, sip.STIP {stip}, then 0 after set_timer(-1)",
        "timer: fired after TIME set_timer(0)",
        f"timer: interrupt, scause 0x8000000000000005, sip.STIP {stip}, then 0 after set_timer(-1)",
        "timer: fired after legacy set_timer(now - 1)",
        f"timer: interrupt, scause 0x8000000000000005, sip.STIP {stip}, then 0 after set_timer(-1)",
        "timer: fired after TIME set_timer(now + 1 ms)",
        f"timer: the CPU's own timer, due: sip.STIP {stip}",
        f"timer: set_timer(0): sip.STIP {stip}",
        "timer: then set_timer(-1): sip.STIP 0",
        "timer: deadline in 1 s: sip.STIP 0, not yet",
        "timer: due, then -1: cleared",
        "timer: due, then 1 s ahead: cleared",
    )
    expect_powered_off(run)


def test_a_flood_of_sbi_calls(qemu, stage, built, tmp_path):
    run = boot(qemu, stage, tmp_path, "sbi", "flood", timeout=15)
    run.expect_lines(
        "flood: 100000 calls of get_spec_version, 100000 answered 2.0",
        *[not_supported(0x12345678, f) for f in range(LOGGED_UNSUPPORTED)],
        "[hypervisor] more SBI calls not supported: counted, no longer printed",
        "flood: 100000 calls of extension 0x12345678, 100000 answered -2",
        "[hypervisor] SBI calls not supported: 100000",
    )
    assert run.output.count("SBI call not supported:") == LOGGED_UNSUPPORTED
    assert statistics(run)["SBI other"] == 200_001  # and the shutdown
    expect_powered_off(run)


# ---------------------------------------------------------------- guests that never end

@pytest.mark.interactive
@pytest.mark.parametrize("action, last_line", [
    ("spin", "stuck: about to spin with interrupts off"),
    ("wfi", "stuck: about to wait for an interrupt, with no timer set"),
], ids=["spin", "wfi"])
def test_a_guest_that_never_exits_is_ended_by_the_timeout(qemu, stage, built, tmp_path, action,
                                                          last_line):
    run = boot(qemu, stage, tmp_path, "stuck", action, timeout=STUCK_TIMEOUT)
    assert run.timed_out and run.status is None
    run.expect_lines("Entering the guest at 0x80200000", last_line)
    assert run.lines[-1] == last_line  # and nothing after (final/'s watchdog only ticks)
    run.expect_absent("PANIC", "FAIL")


# ---------------------------------------------------------------- bad images and options

def image_header(text_offset=0x200000, image_size=4096, flags=0):
    return HEADER.pack(0x0400006f, 0x13, text_offset, image_size, flags, 2, 0, 0,
                       int.from_bytes(b"RISCV\0\0\0", "little"),
                       int.from_bytes(b"RSC\x05", "little"), 0)


def write_image(path, header, size):
    """A file of `size` bytes starting with `header` (sparse: zeros after it)."""
    with open(path, "wb") as f:
        f.write(header)
        f.truncate(size)
    return path


MIB = 1 << 20
BAD_IMAGES = {
    "empty": (lambda p: write_image(p, b"", 0),
              "the kernel image file is empty (0 bytes)"),
    "random-bytes": (lambda p: write_image(p, random.Random(5).randbytes(4096), 4096),
                     "cannot boot this kernel image: bad magic: not a RISC-V Linux Image"),
    "image-size-below-file-size": (lambda p: write_image(p, image_header(image_size=64), 4096),
                                   "cannot boot this kernel image: corrupt: the file is larger "
                                   "than the image_size in its header"),
    "big-endian": (lambda p: write_image(p, image_header(flags=1), 4096),
                   "cannot boot this kernel image: big-endian kernel"),
    "text-offset-past-ram": (lambda p: write_image(p, image_header(text_offset=64 * MIB), 4096),
                             "cannot boot this kernel image: too large"),
    "larger-than-guest-ram": (lambda p: write_image(p, image_header(image_size=70 * MIB),
                                                    70 * MIB),
                              "cannot boot this kernel image: too large: the kernel does not "
                              "fit in guest RAM"),
}


@pytest.mark.parametrize("kind", BAD_IMAGES)
def test_a_bad_image_is_refused_before_the_guest_starts(qemu, stage, built, tmp_path, kind):
    write, reason = BAD_IMAGES[kind]
    image = write(tmp_path / f"{kind}.Image")
    # Room in host RAM for guest RAM above even the largest file, so that
    # it is the file that is refused.
    run = boot_file(qemu, stage, image, qemu_args=["-m", "512M"])
    run.expect_lines(re.compile(rf"PANIC at src/\w+\.cpp:\d+: {re.escape(reason)}.*"))
    assert "Entering the guest" not in run.output
    run.expect_exit(1)


def test_an_image_larger_than_qemu_can_load_is_refused_by_qemu(qemu, stage, built, tmp_path):
    # -m 256M: QEMU puts the file at 0x88200000, below its device tree near
    # the top of RAM. 200 MiB do not fit there: QEMU itself refuses to start
    # (each version with its own words), before the hypervisor runs.
    image = write_image(tmp_path / "huge.Image", image_header(image_size=200 * MIB), 200 * MIB)
    run = boot_file(qemu, stage, image)
    assert "OpenSBI" not in run.output and "Hello from the hypervisor!" not in run.output
    assert run.status not in (0, None), f"QEMU exited with {run.status}"


@pytest.mark.parametrize("kernel", ["directory", "empty"])
def test_a_kernel_that_is_not_a_file_is_named(stage, tmp_path, kernel):
    value = str(tmp_path) if kernel == "directory" else ""  # KERNEL=, with no value
    result = subprocess.run(["make", "-C", stage, f"KERNEL={value}", "kernel"], cwd=REPO,
                            capture_output=True, text=True)
    assert result.returncode != 0
    assert f"error: kernel image KERNEL={value} not found" in result.stderr
