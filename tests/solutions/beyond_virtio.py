"""Checks of beyond/virtio's exercise (see its README.md): the largest
buffer the transmit queue carried."""

import re

from solutions import solution
from test_final import Shell

BOOT_TIMEOUT = 60
LARGEST = re.compile(r"\[hypervisor\] virtio console: .*, largest buffer out (\d+) bytes\n")


@solution("beyond/virtio", 1, interactive=True)
def prints_the_largest_buffer_out(qemu, stage):
    machine = qemu.start(stage.build(), timeout=BOOT_TIMEOUT)
    Shell(machine).run("print 262144 raw")
    machine.send("poweroff\n")
    assert machine.wait_exit() == 0
    found = LARGEST.search(machine.output)
    assert found, "no largest buffer on the virtio console's line"
    assert int(found.group(1)) == 2048  # what Linux's terminal layer writes at a time
