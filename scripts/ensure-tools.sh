#!/usr/bin/env bash
# Makes sure the tools the build and the tests need are here. A missing one
# is installed from Debian/Ubuntu packages when we are root or have sudo;
# otherwise we stop and print the exact command to run.
#
# usage: scripts/ensure-tools.sh [build|test|kernel]...   (default: all three)
set -euo pipefail

CROSS_COMPILE=${CROSS_COMPILE:-riscv64-linux-gnu-}
QEMU=${QEMU:-qemu-system-riscv64}

missing=()   # Debian packages to install
need() {     # need TEST-COMMAND PACKAGE
    if ! eval "$1" >/dev/null 2>&1; then missing+=("$2"); fi
}

wants=${*:-build test kernel}
for want in $wants; do
    case $want in
    build)
        if [ "$CROSS_COMPILE" = riscv64-linux-gnu- ]; then
            need "command -v ${CROSS_COMPILE}g++" g++-riscv64-linux-gnu
        elif ! command -v "${CROSS_COMPILE}g++" >/dev/null; then
            echo "error: ${CROSS_COMPILE}g++ not found: install that toolchain or unset CROSS_COMPILE" >&2
            exit 1
        fi
        need "command -v $QEMU" qemu-system-misc
        need "command -v make" make ;;
    test)
        need "$(dirname "$0")/find-python.sh" python3-pytest
        need "command -v g++" g++
        need "command -v dtc" device-tree-compiler ;;
    kernel)
        need "test -e /usr/src/linux-source-6.1.tar.xz" linux-source-6.1
        need "command -v riscv64-linux-gnu-gcc" gcc-riscv64-linux-gnu
        need "command -v gcc" gcc
        for tool in bc flex bison cpio xz; do
            need "command -v $tool" "$([ $tool = xz ] && echo xz-utils || echo $tool)"
        done ;;
    *) echo "ensure-tools: unknown group '$want'" >&2; exit 2 ;;
    esac
done

[ ${#missing[@]} -eq 0 ] && exit 0

# De-duplicate, keeping the order.
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | awk '!seen[$0]++')
echo "Missing packages: ${missing[*]}"
if ! command -v apt-get >/dev/null; then
    echo "error: no apt-get here. Install the equivalents of: ${missing[*]}" >&2
    echo "(or point CROSS_COMPILE= and QEMU= at tools you have)" >&2
    exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
    sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo=(sudo)
else
    echo "error: please run:  sudo apt-get install ${missing[*]}" >&2
    exit 1
fi
echo "Installing them with apt-get..."
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "${missing[@]}"
