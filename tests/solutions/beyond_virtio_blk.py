"""Checks of beyond/virtio-blk's exercise (see its README.md): the largest
request the guest made."""

import re
import shutil
import tempfile
from pathlib import Path

from solutions import solution
from test_beyond_virtio_blk import ext2_image
from test_final import Shell

BOOT_TIMEOUT = 60
LARGEST = re.compile(r"\[hypervisor\] virtio disk: .*, largest (\d+) sectors\n")


@solution("beyond/virtio-blk", 1, interactive=True)
def prints_the_largest_request(qemu, stage):
    scratch = Path(tempfile.mkdtemp(prefix="virtio-blk-solution-"))
    try:
        image = ext2_image(scratch, {"big": "0123456789abcdef" * (256 * 1024)}, size="16M")
        machine = qemu.start(stage.build(), timeout=BOOT_TIMEOUT, make_vars=[f"DISK={image}"])
        assert Shell(machine).run("readall /mnt/big").startswith("readall: 4194304 bytes")
        machine.send("poweroff\n")
        assert machine.wait_exit() == 0
    finally:
        shutil.rmtree(scratch)
    found = LARGEST.search(machine.output)
    assert found, "no largest request on the virtio disk's line"
    assert int(found.group(1)) == 256  # 128 KiB: Linux's read-ahead window
