"""beyond/virtio-blk: the guest gets a disk, a virtio block device, which
the hypervisor serves by driving the machine's own virtio disk: the
device to its guest, the driver to QEMU's (make run DISK=image).

Linux mounts an ext2 disk at /mnt, reads a file the host put there, writes
one, and after poweroff the file is in the image (read on the host with
debugfs). A bare-metal guest (tests/guests/virtio.cpp, "virtio-disk")
makes requests the disk must serve and requests it must refuse.
"""

import os
import re
import shutil
import subprocess

import pytest

from conftest import REPO, Stage, make
from test_final import Shell, exit_table
from test_hostile_guests import Guest, expect_powered_off

STAGE = "beyond/virtio-blk"
BOOT_TIMEOUT = 60
# e2fsprogs lives in /usr/sbin, which a user's PATH may lack.
SBIN_PATH = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"
MKE2FS, DEBUGFS = shutil.which("mke2fs", path=SBIN_PATH), shutil.which("debugfs", path=SBIN_PATH)
SERVED = re.compile(r"\[hypervisor\] virtio disk: (\d+) requests, (\d+) sectors read, (\d+) "
                    r"written, (\d+) refused")


def ext2_image(tmp_path, files, size="8M"):
    """An ext2 file system holding `files` ({name: text}), made without root.
    256-byte inodes: with 128, Linux 6.12 warns their dates end in 2038."""
    root = tmp_path / "root"
    root.mkdir()
    for name, text in files.items():
        (root / name).write_text(text)
    image = tmp_path / "disk.img"
    subprocess.run([MKE2FS, "-q", "-t", "ext2", "-I", "256", "-d", root, image, size], check=True)
    return image


def read_on_the_host(image, path):
    result = subprocess.run([DEBUGFS, "-R", f"cat {path}", image], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


def boot(qemu, disk=None):
    stage = Stage(STAGE).build()
    return qemu.start(stage, timeout=BOOT_TIMEOUT, make_vars=[f"DISK={disk}"] if disk else [])


@pytest.mark.interactive
def test_the_guest_reads_and_writes_a_disk_that_persists(qemu, tmp_path):
    image = ext2_image(tmp_path, {"hello.txt": "hello from the host\n"})
    machine = boot(qemu, image)
    machine.wait_for("init: the disk /dev/vda is mounted at /mnt")
    shell = Shell(machine)
    assert shell.run("cat /mnt/hello.txt") == "hello from the host"
    assert shell.run("write /mnt/from-the-guest.txt try catch continue") == ""
    assert shell.run("ls /mnt") == "from-the-guest.txt\nhello.txt\nlost+found"
    machine.send("poweroff\n")
    assert machine.wait_exit() == 0
    assert "2038" not in machine.output  # 256-byte inodes: no warning about their dates
    requests, read, written, refused = map(int, SERVED.search(machine.output).groups())
    assert requests > 0 and read > 0 and written > 0 and refused == 0, machine.output
    assert read_on_the_host(image, "/from-the-guest.txt") == "try catch continue\n"


@pytest.mark.interactive
def test_without_a_disk_the_guest_has_none(qemu):
    machine = boot(qemu)
    machine.wait_for("[hypervisor] no disk for the guest: make run DISK=image gives it one")
    shell = Shell(machine)
    assert shell.run("ls /mnt") == "ls: /mnt: No such file or directory"
    assert "\ninit:" not in machine.output  # the shell said nothing of a disk
    machine.send("poweroff\n")
    assert machine.wait_exit() == 0


@pytest.mark.interactive
def test_a_disk_that_is_not_ext2_leaves_mnt_empty(qemu, tmp_path):
    image = tmp_path / "zeros.img"
    image.write_bytes(bytes(1 << 20))
    machine = boot(qemu, image)
    machine.wait_for(re.compile(r"init: /dev/vda is not an ext2 disk, /mnt stays empty: .*\n"))
    shell = Shell(machine)
    assert shell.run("ls /mnt") == ""
    machine.send("poweroff\n")
    assert machine.wait_exit() == 0


def test_a_disk_file_that_does_not_exist_is_named():
    result = subprocess.run(["make", "-s", "-C", STAGE, "qemu-command", "DISK=no/such.img"],
                            cwd=REPO, capture_output=True, text=True)
    assert result.returncode != 0
    assert "error: DISK=no/such.img: no such file" in result.stderr


@pytest.fixture(scope="module")
def built():
    make("-C", "tests/guests")
    Stage(STAGE, kernel=Guest("virtio").image).build()


def test_requests_served_and_refused(qemu, built, tmp_path):
    disk = bytearray(64 * 512)
    disk[:28] = b"sector zero of the test disk"
    image = tmp_path / "raw.img"
    image.write_bytes(disk)
    guest = Guest("virtio").with_arguments(tmp_path, "virtio-disk")
    run = qemu.run(Stage(STAGE, kernel=guest), timeout=10, make_vars=[f"DISK={image}"])
    ioerr, unsupported = "status 1, used length 1", "status 2, used length 1"
    run.expect_lines(
        "disk: device 0x2, started, status 0xf, 64 sectors, seg_max 0x7e",
        "disk: read sector 0 -> status 0, used length 513",
        "disk: sector 0 holds: sector zero of the test disk",
        "disk: write sector 1 -> status 0, used length 1",
        "disk: GET_ID -> status 0, used length 18",
        "disk: its id: riscv-hypervisor",
        f"disk: read at the last sector + 1 -> {ioerr}",
        f"disk: read 2 sectors from the last one -> {ioerr}",
        f"disk: read at sector 2^64 - 1 -> {ioerr}",
        f"disk: read 100 bytes -> {ioerr}",
        f"disk: read into a buffer the device may not write -> {ioerr}",
        f"disk: write from a buffer for the device to write -> {ioerr}",
        f"disk: type 99 -> {unsupported}",
        "[hypervisor] virtio disk: a request without a readable header and a writable status "
        "byte: the device needs a reset",
        "disk: a header the device may write -> not served, device status 0x4f",
        f"disk: no data, no type -> {ioerr}",
        "disk: read sector 0 again -> status 0, used length 513",
    )
    expect_powered_off(run)
    assert image.read_bytes()[512:512 + 32] == b"written by the guest to sector 1"
    assert image.read_bytes()[1024:] == bytes(62 * 512)  # nothing else was written


def test_the_stage_is_virtio_plus_a_disk():
    assert make("-s", "-C", STAGE, "parent").strip() == "beyond/virtio"
