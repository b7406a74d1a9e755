"""Step 05: find the kernel image QEMU loaded, check its header, copy it in."""

import re
import struct
import subprocess

import pytest

from conftest import LINUX_IMAGE, REPO, Run, Stage, host_program, run_host_test, stages_from

HEADER = struct.Struct("<IIQQQIIQQII")  # the 64-byte RISC-V Image header


def header_fields(data):
    (_, _, text_offset, image_size, flags, version, _, _, magic, magic2, _) = \
        HEADER.unpack_from(data)
    return text_offset, image_size, flags, version, magic, magic2


@pytest.mark.parametrize("stage", stages_from("step05-load-kernel"))
def test_header_of_the_real_kernel(qemu, stage):
    built = Stage(stage).build()
    data = LINUX_IMAGE.read_bytes()
    text_offset, image_size, flags, version, _, _ = header_fields(data)
    loaded = f"Loaded it at guest {0x80000000 + text_offset:#x}..{0x80000000 + text_offset + image_size:#x}"
    machine = qemu.start(built, timeout=10)
    machine.wait_for(loaded)  # later stages go on to run the kernel: no need to wait for them
    Run(machine.output, None, False, 10).expect_lines(
        re.compile(rf"Kernel image file: {len(data)} bytes at host 0x[0-9a-f]+"),
        f"Linux Image: {len(data)} bytes, text offset {text_offset:#x}, image size "
        f"{image_size} bytes, version {version >> 16}.{version & 0xffff}, flags {flags:#x}",
        loaded,
    )


@pytest.mark.parametrize("stage", ["step05-load-kernel"])
def test_loads_and_stops(qemu, stage):
    run = qemu.run(Stage(stage).build(), timeout=10)
    # The guest's device tree goes 2 MiB below the top of its 64 MiB of RAM.
    run.expect_lines(re.compile(r"Device tree for the guest: \d+ bytes at guest 0x83e00000"),
                     "Kernel entry point: guest 0x80200000", "Shutting down.")
    run.expect_absent()
    run.expect_exit(0)


def corrupt(kind):
    data = bytearray(LINUX_IMAGE.read_bytes())
    if kind == "bad-magic":
        data[0x38:0x3c] = b"XXXX"
    elif kind == "truncated":
        data = data[:40]
    elif kind == "too-large":
        struct.pack_into("<Q", data, 16, 512 << 20)  # image_size: 512 MiB
    elif kind == "misaligned":
        struct.pack_into("<Q", data, 8, 0x1000)      # text_offset: 4 KiB
    return bytes(data)


REASONS = {
    "bad-magic": "bad magic: not a RISC-V Linux Image",
    "truncated": "truncated: shorter than the 64-byte Image header",
    "too-large": "too large: the kernel does not fit in guest RAM",
    "misaligned": "text_offset is not a multiple of 2 MiB",
}


@pytest.mark.parametrize("kind", REASONS)
@pytest.mark.parametrize("stage", stages_from("step05-load-kernel"))
def test_a_corrupt_image_is_refused(qemu, stage, kind, tmp_path):
    image = tmp_path / f"{kind}.Image"
    image.write_bytes(corrupt(kind))
    run = qemu.run(Stage(stage, kernel=image).build(), timeout=10)
    run.expect_lines(re.compile(
        rf"PANIC at src/\w+\.cpp:\d+: cannot boot this kernel image: {re.escape(REASONS[kind])}.*"))
    assert "Loaded it at" not in run.output
    run.expect_exit(1)


@pytest.mark.parametrize("stage", stages_from("step05-load-kernel"))
def test_a_missing_kernel_file_is_named(stage, tmp_path):
    missing = tmp_path / "no-such-Image"
    result = subprocess.run(["make", "-C", stage, f"KERNEL={missing}", "kernel"], cwd=REPO,
                            capture_output=True, text=True)
    assert result.returncode != 0
    assert f"error: kernel image KERNEL={missing} not found" in result.stderr


@pytest.mark.parametrize("stage", stages_from("step05-load-kernel"))
def test_host_tests_of_image_check_and_device_tree_reader(stage, tmp_path):
    dtb = tmp_path / "test.dtb"
    subprocess.run(["dtc", "-I", "dts", "-O", "dtb", "-o", dtb,
                    REPO / "tests/host/fdt_test.dts"], check=True)
    Stage(stage).build()  # and the guest kernel, whose real header is checked too
    run_host_test(stage, "loader_test", ["fdt.cpp", "linux_image.cpp"], tmp_path, dtb,
                  LINUX_IMAGE)


@pytest.mark.parametrize("stage", stages_from("step05-load-kernel"))
def test_too_little_host_memory_is_a_clear_error(qemu, stage):
    # With -m 64M, there is no room for 64 MiB of guest RAM besides the
    # firmware, us and the kernel image file.
    run = qemu.run(Stage(stage).build(), qemu_args=["-m", "64M"])
    run.expect_lines(re.compile(r"PANIC at src/guest_memory\.cpp:\d+: guest RAM of 64 MiB does not "
                                r"fit in the \d+ MiB of host RAM left: give QEMU more memory \(-m\)"))
    run.expect_exit(1)


@pytest.mark.parametrize("stage", stages_from("step05-load-kernel"))
def test_an_empty_image_file_is_named(qemu, stage, tmp_path):
    empty = tmp_path / "empty.Image"
    empty.write_bytes(b"")
    run = qemu.run(Stage(stage, kernel=empty).build(), timeout=10)
    run.expect_lines(re.compile(
        r"PANIC at src/main\.cpp:\d+: the kernel image file is empty \(0 bytes\)"))
    run.expect_exit(1)


def fdtget(dtb, node, name, kind):
    result = subprocess.run(["fdtget", "-t", kind, dtb, node, name], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def decompile(dtb):
    result = subprocess.run(["dtc", "-I", "dtb", "-O", "dts", dtb], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("stage", stages_from("step05-load-kernel"))
def test_device_tree_writer_output_decompiles(stage, tmp_path):
    binary = host_program(stage, "fdt_writer_test",
                          ["fdt_writer.cpp", "device_tree.cpp", "format.cpp", "isa.cpp"], tmp_path)
    small, guest = tmp_path / "small.dtb", tmp_path / "guest.dtb"
    result = subprocess.run([binary, small, guest], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr

    dts = decompile(small)
    assert '#address-cells = <0x02>;' in dts
    assert 'model = "test";' in dts
    assert "node@1000 {" in dts
    assert "reg = <0x00 0x1000 0x2000 0x00>;" in dts
    assert "flag;" in dts
    assert 'model = "shared name";' in dts

    decompile(guest)  # dtc reads it
    # Each property, as fdtget reads it (dtc's text form varies by version).
    def get(node, name, kind="s"):
        return fdtget(guest, node, name, kind)
    assert get("/chosen", "bootargs") == "console=hvc0"
    assert get("/memory@80000000", "reg", "x") == "0 80000000 0 4000000"
    assert get("/cpus", "timebase-frequency", "u") == "10000000"
    # The CPU, for Linux 6.12 (base and list) and for 6.1 (one string):
    # what the host has, less what the guest may not use (h).
    assert get("/cpus/cpu@0", "riscv,isa-base") == "rv64i"
    assert get("/cpus/cpu@0", "riscv,isa-extensions") == "i m a f d c zicsr zifencei sstc"
    assert get("/cpus/cpu@0", "riscv,isa") == "rv64imafdc_zicsr_zifencei_sstc"


@pytest.mark.parametrize("stage", stages_from("step05-load-kernel"))
def test_guest_isa_on_the_host(stage, tmp_path):
    run_host_test(stage, "isa_test", ["isa.cpp"], tmp_path)
