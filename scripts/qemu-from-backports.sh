#!/usr/bin/env bash
# Debian 12 only: puts QEMU 10 (with OpenSBI 1.5) from bookworm-backports
# into DIR, beside the system's QEMU 7.2 and without replacing it, so that
# both QEMU generations can be tried. Needs no root.
#
# usage: scripts/qemu-from-backports.sh DIR
#   then: make test QEMU=DIR/qemu-system-riscv64
set -euo pipefail

if [ $# -ne 1 ]; then echo "usage: $0 DIR" >&2; exit 2; fi
mkdir -p "$1"
dir=$(cd "$1" && pwd)
suite=bookworm-backports
packages=(qemu-system-riscv qemu-system-common qemu-system-data qemu-system-misc opensbi)

if ! apt-cache policy | grep -q " $suite/main "; then
    echo "error: apt does not know $suite. Add this line to /etc/apt/sources.list.d/backports.list:" >&2
    echo "    deb http://deb.debian.org/debian $suite main" >&2
    echo "then run: sudo apt-get update" >&2
    exit 1
fi

# Download the .deb files and unpack them, without installing anything.
debs=$(mktemp -d)
trap 'rm -rf "$debs"' EXIT
chmod 755 "$debs"
if [ "$(id -u)" -eq 0 ]; then chown _apt "$debs" 2>/dev/null || true; fi  # apt downloads as _apt
(cd "$debs" && apt-get download -q -t "$suite" "${packages[@]}")
for deb in "$debs"/*.deb; do
    echo "unpacking $(basename "$deb")"
    dpkg -x "$deb" "$dir"
done

# Without -L, QEMU 10 reads its firmware from the system's directory (the
# OpenSBI 1.1 of QEMU 7.2) and says nothing; without -audio none it loads
# the system's QEMU 7.2 audio module and aborts.
cat >"$dir/qemu-system-riscv64" <<EOF
#!/bin/sh
exec "$dir/usr/bin/qemu-system-riscv64" -L "$dir/usr/share/qemu" -audio none "\$@"
EOF
chmod +x "$dir/qemu-system-riscv64"

# Check: the version, and the firmware's banner (no kernel: it stops there).
"$dir/qemu-system-riscv64" --version | sed -n 1p
boot=$(timeout 5 "$dir/qemu-system-riscv64" -machine virt -cpu rv64,h=true -bios default \
    -nographic -no-reboot </dev/null 2>&1 || true)
if ! grep -a -m1 '^OpenSBI v' <<<"$boot"; then
    echo "error: no OpenSBI banner from $dir/qemu-system-riscv64:" >&2
    echo "$boot" >&2
    exit 1
fi
echo
echo "QEMU 10 is in $dir. Use it with:"
echo "    make test QEMU=$dir/qemu-system-riscv64"
