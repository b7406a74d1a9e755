"""Checks of beyond/smp's exercises (see its README.md): the guest's IPIs
printed, and how long a kick waits."""

import re
import struct
import tempfile
from pathlib import Path

from conftest import REPO, Stage, make
from solutions import solution

BOOT_TIMEOUT = 90
IPI = re.compile(r"^\[hypervisor\] IPI: vCPU (\d) -> vCPU (\d)$", re.MULTILINE)
WAITED = re.compile(r"^\[hypervisor\] hart (\d): a guest IPI waited (\d+) us on average, "
                    r"(\d+) us at most$", re.MULTILINE)


def booted_to_banner(qemu, stage, harts):
    machine = qemu.start(stage, timeout=BOOT_TIMEOUT, make_vars=[f"SMP={harts}"])
    machine.wait_for("Welcome to the guest userland.")
    return machine.output


@solution("beyond/smp", 1)
def prints_the_first_guest_ipis(qemu, stage):
    output = booted_to_banner(qemu, stage.build(), 2)
    ipis = IPI.findall(output)
    assert len(ipis) == 8, output[-3000:]
    assert all(sender != target for sender, target in ipis), ipis
    assert "[hypervisor] more guest IPIs: counted, no longer printed" in output
    # During the boot: after vCPU 1 was started, before the first program.
    first = IPI.search(output).start()
    assert output.index("smp: Bringing up secondary CPUs") < first < output.index("Run /init")
    # One hart: nobody to send an IPI to.
    assert not IPI.search(booted_to_banner(qemu, stage, 1))


@solution("beyond/smp", 2)
def reports_how_long_a_guest_ipi_waited(qemu, stage):
    make("-C", "tests/guests")
    image = bytearray((REPO / "tests" / "guests" / "build" / "smp.Image").read_bytes())
    struct.pack_into("<24sQ", image, 0x40, b"ping-pong", 0)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "smp-ping-pong.Image"
        path.write_bytes(image)
        guest = Stage(stage.name, kernel=path, directory=stage.dir).build()
        run = qemu.run(guest, timeout=60)
    run.expect_exit(0)
    assert re.search(r"^ping-pong: 2000 round trips, median \d+ ns, mean \d+ ns$", run.output,
                     re.MULTILINE), run.output[-2000:]
    waits = {int(hart): (int(average), int(longest))
             for hart, average, longest in WAITED.findall(run.output)}
    assert sorted(waits) == [0, 1], run.output[-2000:]
    assert all(0 < average <= longest for average, longest in waits.values()), waits
