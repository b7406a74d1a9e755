#!/bin/sh
# The device tree a stage writes into guest RAM, rebuilt on the host: the
# stage's own fdt_writer.cpp and device_tree.cpp, given the extensions
# QEMU's CPU has (from QEMU's own tree) and the guest's command line.
#   usage: tests/host/guest-dtb.sh STAGE [BOOTARGS] > guest.dtb
# (step05's chapter shows the tree this way; $QEMU picks another QEMU.)
set -e
stage=${1:?usage: $0 STAGE [BOOTARGS] > guest.dtb}
bootargs=${2:-console=hvc0 earlycon=sbi}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"${QEMU:-qemu-system-riscv64}" -machine virt,dumpdtb="$work/qemu.dtb" -cpu rv64,h=true -m 256M \
    -display none >/dev/null 2>&1
g++ -std=c++20 -I"$stage/src" -o "$work/write" "$(dirname "$0")/fdt_writer_test.cpp" \
    "$stage/src/fdt_writer.cpp" "$stage/src/device_tree.cpp" "$stage/src/format.cpp" \
    "$stage/src/isa.cpp"
"$work/write" "$work/small.dtb" "$work/guest.dtb" \
    "$(fdtget "$work/qemu.dtb" /cpus/cpu@0 riscv,isa)" "$bootargs" >/dev/null
cat "$work/guest.dtb"
