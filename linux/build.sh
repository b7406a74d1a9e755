#!/bin/sh
# build.sh - the guest kernel build, step by step. linux/Makefile runs it
# (under a lock) when the cache has no Image for the current inputs.
#
# Everything it needs comes in the environment, from the Makefile:
#   TARBALL   the Linux source tarball
#   SRC       where that tarball is extracted (shared by every build of it)
#   WORK      the kernel's object directory and our initramfs (one per
#             tarball and compiler)
#   RESULT    where the finished Image goes (the cache's entry for this key)
#   CONFIG_KEY   a hash of what the configuration depends on
#   CROSS_COMPILE, JOBS, USERLAND_CFLAGS, PROGRAMS (C files of static
#   programs for /bin, built against glibc)
set -eu
cd "$(dirname "$0")"

if [ -f "$RESULT" ]; then
	exit 0  # built by another make while we waited for the lock
fi

kmake() {
	make -C "$SRC" O="$WORK/obj" ARCH=riscv CROSS_COMPILE="$CROSS_COMPILE" "$@"
}

# Make the kernel reproducible: same inputs, same `uname -v`, same bytes.
# Build times become the date of the source tarball.
epoch=$(stat -c %Y "$TARBALL")
export KBUILD_BUILD_USER=guest KBUILD_BUILD_HOST=riscv-hypervisor KBUILD_BUILD_VERSION=1
KBUILD_BUILD_TIMESTAMP=$(LC_ALL=C date -u -d "@$epoch" '+%a %b %e %H:%M:%S UTC %Y')
export KBUILD_BUILD_TIMESTAMP

# --- 1. Kernel sources: extracted once per tarball ---------------------------
if [ ! -f "$SRC/.extracted" ]; then
	echo "[linux] extracting $TARBALL (once)"
	rm -rf "$SRC" && mkdir -p "$SRC"
	tar -xf "$TARBALL" -C "$SRC" --strip-components=1
	touch "$SRC/.extracted"
fi

# --- 2. Configuration: tinyconfig + guest.config, checked --------------------
mkdir -p "$WORK/obj"
if [ "$(cat "$WORK/.config-key" 2>/dev/null)" != "$CONFIG_KEY" ]; then
	echo "[linux] configuring: tinyconfig + guest.config"
	log=$WORK/config.log
	{
		kmake tinyconfig &&
		"$SRC/scripts/kconfig/merge_config.sh" -m -O "$WORK/obj" "$WORK/obj/.config" guest.config &&
		kmake olddefconfig
	} >"$log" 2>&1 || { cat "$log"; exit 1; }
	sh verify-config.sh "$WORK/obj/.config" guest.config
	echo "$CONFIG_KEY" >"$WORK/.config-key"
fi

# --- 3. The initramfs: our shell as /init, the shipped programs in /bin ------
# Files go in dated like the tarball, so that the archive is reproducible.
# The kernel reads the list from ../initramfs.list, relative to obj/.
echo "[linux] compiling the userland shell and the programs for /bin"
rootfs=$WORK/rootfs
rm -rf "$rootfs" && mkdir -p "$rootfs/bin"
# shellcheck disable=SC2086  # the flags are a list
"${CROSS_COMPILE}gcc" $USERLAND_CFLAGS -o "$rootfs/init" userland/*.c
{
	echo 'dir /dev 0755 0 0'
	echo 'nod /dev/console 0600 0 0 c 5 1'
	echo 'dir /proc 0555 0 0'
	echo 'dir /sys 0555 0 0'
	echo 'dir /bin 0755 0 0'
	echo 'file /init ../rootfs/init 0755 0 0'
} >"$WORK/initramfs.list.new"
for program in $PROGRAMS; do
	name=$(basename "$program" .c)
	"${CROSS_COMPILE}gcc" -static -O2 -Wall -Wextra -o "$rootfs/bin/$name" "$program"
	"${CROSS_COMPILE}strip" "$rootfs/bin/$name"
	echo "file /bin/$name ../rootfs/bin/$name 0755 0 0" >>"$WORK/initramfs.list.new"
done
find "$rootfs" -exec touch -h -d "@$epoch" {} +
mv "$WORK/initramfs.list.new" "$WORK/initramfs.list"

# --- 4. The kernel ------------------------------------------------------------
echo "[linux] building the kernel Image with make -j$JOBS (a few minutes the first time)"
kmake -j"$JOBS" Image
mkdir -p "$(dirname "$RESULT")"
cp "$WORK/obj/arch/riscv/boot/Image" "$RESULT.tmp"
mv "$RESULT.tmp" "$RESULT"
echo "[linux] done: $(stat -c %s "$RESULT") bytes, cached as $RESULT"
