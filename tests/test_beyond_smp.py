"""beyond/smp: one vCPU per hart, and the SBI through which the guest's
harts work together: HSM (start, stop, suspend, status), IPI and RFENCE.

Linux boots on 1, 2 and 4 harts and keeps them all busy at once. A
bare-metal guest (tests/guests/smp.cpp) calls every HSM, IPI and RFENCE
function, each error case included, and the test holds each answer to the
SBI specification. Hostile guests start a hart that is starting, storm a
hart with IPIs, and leave a hart spinning with its interrupts off while
another ends the machine.
"""

import os
import re
import signal
import subprocess
import time

import pytest

from conftest import REPO, Stage, host_program, make
from test_final import Shell
from test_hostile_guests import Guest

STAGE = "beyond/smp"
BOOT_TIMEOUT = 120   # four harts share this machine's two cores
GUEST_TIMEOUT = 30

SUCCESS, FAILED, NOT_SUPPORTED, INVALID_PARAM, INVALID_ADDRESS, ALREADY_AVAILABLE = \
    0, -1, -2, -3, -5, -6
STARTED, STOPPED = 0, 1

# The "sbi" guest's calls and the answers the SBI specification (v2.0)
# gives them, in order: (call, error, value).
SBI_ANSWERS = [
    ("hart_get_status(self)", SUCCESS, STARTED),
    ("hart_get_status(other)", SUCCESS, STOPPED),
    ("hart_get_status(N)", INVALID_PARAM, 0),
    ("hart_get_status(-1)", INVALID_PARAM, 0),
    ("hart_start(N)", INVALID_PARAM, 0),
    ("hart_start(self)", ALREADY_AVAILABLE, 0),
    ("hart_start(other, below RAM)", INVALID_ADDRESS, 0),
    ("hart_start(other, at the end of RAM)", INVALID_ADDRESS, 0),
    ("hart_start(other, at the UART)", INVALID_ADDRESS, 0),
    ("hart_stop(the last hart running)", FAILED, 0),
    # A stopped hart is "not available to the supervisor" (as OpenSBI
    # answers today; 1.1 and 1.5 skipped it and answered SUCCESS).
    ("send_ipi(other, stopped)", INVALID_PARAM, 0),
    ("remote_fence_i(other, stopped)", INVALID_PARAM, 0),
    ("hart_suspend(type 0x1, reserved)", INVALID_PARAM, 0),
    ("hart_suspend(type 0x10000000, the platform's)", INVALID_PARAM, 0),
    ("hart_suspend(type 0x80000001, reserved)", INVALID_PARAM, 0),
    ("hart_suspend(type 0x90000000, the platform's)", INVALID_PARAM, 0),
    ("hart_suspend(non-retentive, resume below RAM)", INVALID_ADDRESS, 0),
    ("send_ipi(mask 0, base 12345)", SUCCESS, 0),
    ("hart_start(other)", SUCCESS, 0),
    "smp: other started: a0 is its hart id: yes, a1 is the opaque: yes, satp 0x0, sstatus.SIE 0x0",
    ("hart_get_status(other)", SUCCESS, STARTED),
    ("hart_start(other) again", ALREADY_AVAILABLE, 0),
    ("hart_start(other, below RAM) again", INVALID_ADDRESS, 0),
    ("send_ipi(mask 1 << other, base 0)", SUCCESS, 0),
    ("send_ipi(mask 1, base other)", SUCCESS, 0),
    ("send_ipi(base -1)", SUCCESS, 0),
    "smp: ... and self's sip.SSIP: yes",
    ("send_ipi(self)", SUCCESS, 0),
    "smp: ... self's sip.SSIP at once: yes",
    ("send_ipi(mask 1 << N, base 0)", INVALID_PARAM, 0),
    ("send_ipi(mask 1, base N)", INVALID_PARAM, 0),
    ("send_ipi(mask 0b11, base N-1)", INVALID_PARAM, 0),
    ("send_ipi(mask 0b101, base -2: wraps to 0)", INVALID_PARAM, 0),
    ("IPI function 1", NOT_SUPPORTED, 0),
    "smp: ... none of them sent an IPI: yes",
    ("remote_fence_i(other)", SUCCESS, 0),
    ("remote_sfence_vma(other, all)", SUCCESS, 0),
    ("remote_sfence_vma(other, one page)", SUCCESS, 0),
    ("remote_sfence_vma_asid(other, asid 1)", SUCCESS, 0),
    ("remote_fence_i(base -1)", SUCCESS, 0),
    ("remote_sfence_vma(self)", SUCCESS, 0),
    ("remote_fence_i(mask 1 << N)", INVALID_PARAM, 0),
    ("remote_sfence_vma_asid(mask 1, base N)", INVALID_PARAM, 0),
    ("remote_hfence_gvma_vmid", NOT_SUPPORTED, 0),   # the guest has no H extension
    ("RFENCE function 7", NOT_SUPPORTED, 0),
    "smp: hart_get_status(other) while it waits for its timer -> value 4",
    "smp: other's retentive suspend, ended by its timer -> error 0, after the deadline: yes",
    ("send_ipi(other, suspended)", SUCCESS, 0),
    "smp: other's retentive suspend, ended by an IPI -> error 0",
    "smp: other's non-retentive suspend, ended by an IPI: resumed with a0 its hart id: yes, "
    "a1 the opaque: yes, satp 0x0, sstatus.SIE 0x0",
    ("hart_get_status(other) after its hart_stop", SUCCESS, STOPPED),
    ("send_ipi(other, stopped again)", INVALID_PARAM, 0),
    ("hart_start(other) once more", SUCCESS, 0),
    "smp: done",
]


def sbi_line(answer):
    if isinstance(answer, str):
        return answer
    call, error, value = answer
    return f"smp: {call} -> error {error}, value {value:#x}"


# ---------------------------------------------------------------- helpers

def exit_table(output):
    """The exit table: {row: [count on vCPU 0, vCPU 1, ..., all]}, and its
    heading's vCPU numbers."""
    heading = re.search(r"^\[hypervisor\] {3,}((?:\s+vCPU \d+)+)\s+all$", output, re.MULTILINE)
    vcpus = [int(n) for n in re.findall(r"vCPU (\d+)", heading.group(1))] if heading else []
    rows = re.findall(r"^\[hypervisor\]   ([A-Za-z ]+?)((?: +\d+)+)$", output, re.MULTILINE)
    return {kind: [int(n) for n in counts.split()] for kind, counts in rows}, vcpus


def served(output):
    """{hart: (guest IPIs, fence.i, TLB flushes)} done for the other harts."""
    found = re.findall(r"^\[hypervisor\] hart (\d+) did for the others: (\d+) guest IPIs, "
                       r"(\d+) fence\.i, (\d+) TLB flushes$", output, re.MULTILINE)
    return {int(h): tuple(map(int, counts)) for h, *counts in found}


@pytest.fixture(scope="module")
def guests():
    make("-C", "tests/guests")
    Stage(STAGE, kernel=Guest("smp").image).build()


def boot_guest(qemu, tmp_path, action, harts=2, timeout=GUEST_TIMEOUT):
    image = Guest("smp").with_arguments(tmp_path, action)
    return qemu.start(Stage(STAGE, kernel=image), timeout=timeout, make_vars=[f"SMP={harts}"])


def run_guest(qemu, tmp_path, action, harts=2, timeout=GUEST_TIMEOUT):
    machine = boot_guest(qemu, tmp_path, action, harts, timeout)
    return qemu.finish(machine, None)


def expect_powered_off(run, harts):
    run.expect_lines("[hypervisor] the guest powered off")
    run.expect_absent("PANIC", "FAIL", "The guest stopped.")
    run.expect_exit(0)
    table, vcpus = exit_table(run.output)
    assert vcpus == list(range(harts)), run.output
    assert table["stopped"][-1] == 0, table
    return table


# ---------------------------------------------------------------- Linux

@pytest.mark.interactive
@pytest.mark.parametrize("harts", [1, 2, 4])
def test_linux_runs_on_every_hart_at_once(qemu, harts):
    machine = qemu.start(Stage(STAGE).build(), timeout=BOOT_TIMEOUT, make_vars=[f"SMP={harts}"])
    machine.wait_for(f"Entering the guest at 0x80200000: {harts} vCPUs, one per hart")
    shell = Shell(machine)

    cpuinfo = shell.run("cat /proc/cpuinfo")
    assert re.findall(r"^processor\s*: (\d+)$", cpuinfo, re.MULTILINE) == \
        [str(n) for n in range(harts)], cpuinfo
    assert sorted(re.findall(r"^hart\s*: (\d+)$", cpuinfo, re.MULTILINE)) == \
        [str(n) for n in range(harts)], cpuinfo
    assert shell.run("cpus").splitlines() == [f"cpu {n}: online" for n in range(harts)]

    # One busy child pinned on each CPU: each says when it was busy. Some
    # moment lies in every interval: they all ran at once.
    burn = shell.run("burn 1000")
    intervals = {int(cpu): (int(begin), int(end)) for cpu, begin, end in
                 re.findall(r"^burn: cpu (\d+) busy from (\d+) to (\d+) us$", burn, re.MULTILINE)}
    assert sorted(intervals) == list(range(harts)), burn
    assert max(b for b, _ in intervals.values()) < min(e for _, e in intervals.values()), burn
    assert re.search(rf"^burn: {harts} cpus, \d+ ms wall, 1000 ms of work each$", burn,
                     re.MULTILINE), burn

    machine.send("poweroff\n")
    assert machine.wait_exit() == 0
    table, vcpus = exit_table(machine.output)
    assert vcpus == list(range(harts)), machine.output[-2000:]
    assert all(len(counts) == harts + 1 for counts in table.values()), table
    assert table["total"][-1] == sum(table["total"][:-1])
    assert table["stopped"][-1] == 0
    if harts > 1:  # the harts woke each other (IPIs) and shot down TLBs (fences)
        assert table["SBI IPI"][-1] > 0 and table["kicked"][-1] > 0, table
        assert sum(tlb for _, _, tlb in served(machine.output).values()) > 0
    assert "PANIC" not in machine.output


def test_the_guest_device_tree_has_a_cpu_node_per_hart(tmp_path):
    # Harts 0, 1 and 3: a node each, named and numbered by its hart id.
    program = host_program(STAGE, "smp_device_tree_test",
                           ["device_tree.cpp", "fdt_writer.cpp", "format.cpp", "isa.cpp"], tmp_path)
    dtb = tmp_path / "guest.dtb"
    subprocess.run([program, dtb], check=True)

    def fdtget(*args):
        return subprocess.run(["fdtget", dtb, *args], capture_output=True, text=True,
                              check=True).stdout.split()
    assert fdtget("-l", "/cpus") == ["cpu@0", "cpu@1", "cpu@3"]
    for hart in (0, 1, 3):
        node = f"/cpus/cpu@{hart}"
        assert fdtget(node, "reg") == [str(hart)]
        assert fdtget(node, "device_type") == ["cpu"]
        assert fdtget("-l", node) == ["interrupt-controller"]


# ---------------------------------------------------------------- the SBI, to the spec

@pytest.mark.parametrize("harts", [2, 4])
def test_sbi_calls_answer_as_the_spec_says(qemu, guests, tmp_path, harts):
    run = run_guest(qemu, tmp_path, "sbi", harts)
    head = run.expect_lines(re.compile(r"smp: (\d+) harts; self is hart (\d+), other is hart (\d+)"))
    assert int(head[0].group(1)) == harts
    me, other = int(head[0].group(2)), int(head[0].group(3))
    run.expect_lines(*[sbi_line(answer) for answer in SBI_ANSWERS])
    expect_powered_off(run, harts)
    # Each fence was done by its target hart, and each IPI it was sent set
    # its guest's pending bit there: 3 IPIs, 2 wake-ups from suspend.
    done = served(run.output)
    assert done[other] == (5, 2, 3), done
    assert done[me] == (2, 1, 1), done
    assert all(done[h] == (0, 0, 0) for h in done if h not in (me, other)), done


def test_the_exit_table_has_a_column_per_vcpu(qemu, guests, tmp_path):
    run = run_guest(qemu, tmp_path, "sbi", harts=3)
    table = expect_powered_off(run, 3)
    assert all(len(counts) == 4 for counts in table.values()), table
    for counts in table.values():
        assert counts[-1] == sum(counts[:-1])


# ---------------------------------------------------------------- hostile guests

@pytest.mark.interactive  # it depends on timing
def test_hart_start_on_a_hart_that_is_starting(qemu, guests, tmp_path):
    run = run_guest(qemu, tmp_path, "start-twice", timeout=60)
    found = run.expect_lines(re.compile(
        r"start-twice: 200 rounds; the first start answered 0 (\d+) times; the second, at once: "
        r"-3 \(starting\) (\d+) times, -6 \(started\) (\d+) times, something else (\d+) times"))
    first, starting, started, other = map(int, found[0].groups())
    assert (first, other, starting + started) == (200, 0, 200), found[0].group(0)
    # The race was run: some second starts found the hart still starting
    # (INVALID_PARAM, as OpenSBI answers) and none started it twice.
    assert starting > 0, found[0].group(0)
    run.expect_lines("start-twice: the hart ran its entry 200 times")
    expect_powered_off(run, 2)


@pytest.mark.interactive  # it depends on timing
def test_an_ipi_storm_slows_its_target_at_most_three_times(qemu, guests, tmp_path):
    run = run_guest(qemu, tmp_path, "ipi-storm", timeout=90)
    found = run.expect_lines(re.compile(
        r"ipi-storm: the same work took (\d+) us with the other hart spinning, (\d+) us while it "
        r"sent (\d+) IPIs \(this hart took (\d+) interrupts\)"))
    alone, stormy, sent, taken = map(int, found[0].groups())
    assert sent > 1000 and taken > 0, found[0].group(0)  # it was a storm, and it arrived
    assert stormy <= 3 * alone, found[0].group(0)
    expect_powered_off(run, 2)


@pytest.mark.interactive  # it depends on timing
@pytest.mark.parametrize("action, line, status", [
    ("spin-poweroff", "spin-poweroff: the other hart spins with its interrupts off; powering off",
     0),
    ("stray-access", "stray-access: the other hart loads outside guest RAM; this one spins with "
                     "its interrupts off", 3),
])
def test_a_hart_spinning_with_interrupts_off_does_not_keep_the_machine_on(
        qemu, guests, tmp_path, action, line, status):
    machine = boot_guest(qemu, tmp_path, action)
    machine.wait_for(line)
    seen = time.monotonic()
    assert machine.wait_exit() == status
    assert time.monotonic() - seen < 2, "QEMU took 2 s or more to exit"
    output = machine.output
    if status == 0:
        assert "[hypervisor] the guest powered off" in output
    else:
        assert "[hypervisor] the guest accessed memory it does not own" in output
        assert "The guest stopped." in output
    table, vcpus = exit_table(output)
    assert vcpus == [0, 1] and table["kicked"][-1] >= 1, output  # our IPI stopped the spinner
    assert "PANIC" not in output and "FAIL" not in output


# ---------------------------------------------------------------- what cannot be

@pytest.mark.parametrize("harts", ["0", "9", "two"])
def test_an_smp_this_stage_cannot_run_is_refused(harts):
    result = subprocess.run(["make", "-s", "-C", STAGE, "qemu-command", f"SMP={harts}"],
                            cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert f"error: SMP={harts}: this stage runs 1 to 8 harts" in result.stderr, result.stderr


def test_more_harts_than_the_hypervisor_runs_are_refused(qemu, guests):
    run = qemu.run(Stage(STAGE, kernel=Guest("smp").image), timeout=GUEST_TIMEOUT,
                   qemu_args=["-smp", "9"])  # QEMU takes the last -smp
    run.expect_lines(re.compile(r"PANIC at .*: QEMU has more than 8 harts \(-smp\): this "
                                r"hypervisor runs at most 8 \(MAX_HARTS, memlayout\.hpp\)"))
    run.expect_exit(1)


def make_and_kill(*args, timeout=120):
    """Run make at the top, as typed (not with the variables of a make that
    runs these tests); kill it and all it started if time runs out."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "STEP", "SMP")}
    process = subprocess.Popen(["make", "--no-print-directory", *args], cwd=REPO, env=env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"make {' '.join(args)} ran on instead of refusing")
    return process.returncode, out + err


@pytest.mark.parametrize("command", [["run", "STEP=final"], ["test", "STEP=final"], ["test"]])
def test_other_stages_refuse_smp(command):
    status, output = make_and_kill(*command, "SMP=2")
    assert status != 0
    assert "error: SMP=2: only beyond/smp runs several harts (STEP=beyond/smp)" in output, output
