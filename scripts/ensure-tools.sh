#!/usr/bin/env bash
# Makes sure the tools the build and the tests need are here. A missing one
# is installed from Debian/Ubuntu packages when we are root or have sudo;
# otherwise we stop and print the exact command to run.
#
# Package names differ between releases (QEMU is qemu-system-misc on Debian 12
# and qemu-system-riscv on Debian 13; each release has its own kernel source
# versions), so the names are looked up in apt, exactly, on the machine at hand.
#
# usage: scripts/ensure-tools.sh [build|test|kernel|debug|bench]...
#   (default: the first three; debug is gdb-multiarch, for make debug;
#   bench is qemu-riscv64, make bench's yardstick for a program)
#   CROSS_COMPILE=prefix-   use another toolchain (not installed by us)
#   QEMU=program            use another QEMU, or a wrapper script
#   LINUX=6.1               the guest kernel's source version (default: 6.12
#                           where the release has it, else the newest >= 6.1)
#   LINUX_TARBALL=file      a kernel source tarball you have: no package needed
set -euo pipefail

CROSS_COMPILE=${CROSS_COMPILE:-riscv64-linux-gnu-}
QEMU=${QEMU:-qemu-system-riscv64}
FIRMWARE=opensbi-riscv64-generic-fw_dynamic.bin   # what `-bios default` loads
release=$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-}")
release=${release:-this system}

# --- What apt offers ---------------------------------------------------------
# True if the package of exactly this name has a version apt would install
# from the release's own suites. Two traps avoided: apt treats a name that
# is no package as a regex (linux-source-6.1 would match linux-source-6.12),
# and a version only in backports (priority 100) needs `-t` to install.
available() {
    apt-cache policy "$1" 2>/dev/null | awk -v name="$1:" '
        /^[^ ]/       { mine = ($0 == name); next }
        !mine         { next }
        /Candidate:/  { candidate = $2; next }
        $1 == "***"   { $1 = "" ; $0 = $0 }
        $1 == candidate && $2 >= 500 { found = 1 }
        END           { exit !found }'
}

# Installed kernel source tarballs, "VERSION PATH" per line: Debian's
# /usr/src/linux-source-6.12.tar.xz, Ubuntu's
# /usr/src/linux-source-6.8.0/linux-source-6.8.0.tar.bz2.
installed_linux() {
    local f v
    for f in /usr/src/linux-source-*.tar.xz /usr/src/linux-source-*/linux-source-*.tar.bz2; do
        [ -f "$f" ] || continue
        v=${f##*/linux-source-}
        echo "${v%.tar.*} $f"
    done
}
tarballs=$(installed_linux)
at_least() { [ "$(printf '%s\n' "$2" "$1" | sort -V | head -1)" = "$2" ]; }  # A >= B

# The kernel source to install, or nothing if a usable one is here.
choose_linux() {
    local v newest=
    if [ -n "${LINUX_TARBALL:-}" ] && [ -f "$LINUX_TARBALL" ]; then return; fi
    if [ -n "${LINUX:-}" ]; then    # this version and no other
        if awk -v v="$LINUX" '$1 == v || index($1, v ".") == 1 { f = 1 } END { exit !f }' <<<"$tarballs"; then
            return
        fi
        # Ubuntu names it X.Y.Z: linux-source-6.8.0 for LINUX=6.8.
        v=$(apt-cache pkgnames "linux-source-$LINUX." 2>/dev/null | sort -V | tail -n 1)
        if available "linux-source-$LINUX" || [ -z "$v" ]; then v=linux-source-$LINUX; fi
        echo "$v"
        return
    fi
    if grep -q '^6\.12 ' <<<"$tarballs"; then return; fi
    if available linux-source-6.12; then echo linux-source-6.12; return; fi
    while read -r v _; do
        if at_least "$v" 6.1; then return; fi
    done <<<"$tarballs"
    # The newest X.Y (Debian) or X.Y.Z (Ubuntu) from 6.1 on.
    for v in $(apt-cache pkgnames linux-source- | sed -n 's/^linux-source-\([0-9][0-9.]*\)$/\1/p' | sort -V); do
        if at_least "$v" 6.1 && available "linux-source-$v"; then newest=$v; fi
    done
    echo "linux-source-${newest:-6.12}"    # none: named, and reported missing
}

# QEMU finds -bios default's firmware in one of the data directories that
# `-L help` lists. Without it, QEMU starts and nothing ever prints.
firmware_found() {
    local dir
    while read -r dir; do
        if [ -e "$dir/$FIRMWARE" ]; then return 0; fi
    done < <("$QEMU" -L help 2>/dev/null)
    return 1
}

# The package that puts the firmware where QEMU's package looks for it:
# Debian 12's QEMU ships its own copy in qemu-system-data (its opensbi package
# would not help); later ones depend on the opensbi package.
firmware_package() {
    local owner
    owner=$(dpkg -S "$(readlink -f "$(command -v "$QEMU")")" 2>/dev/null | cut -d: -f1) || true
    if [ -z "$owner" ]; then return 1; fi      # not a packaged QEMU
    if apt-cache depends "$owner" 2>/dev/null | grep -Eq '^ *Depends: <?opensbi>?$'; then
        echo opensbi
    else
        echo qemu-system-data
    fi
}
firmware_error() {
    echo "error: $QEMU finds no $FIRMWARE in the directories of \`$QEMU -L help\`:" >&2
    "$QEMU" -L help 2>&1 | sed 's/^/    /' >&2 || true
    echo "(give QEMU a directory that has it with -L, or install QEMU's firmware)" >&2
    exit 1
}

# --- What is missing -----------------------------------------------------------
# Entries are package names, or @qemu and @linux: names chosen once apt's
# lists are fresh.
missing=()
need() {     # need TEST-COMMAND PACKAGE
    if ! eval "$1" >/dev/null 2>&1; then missing+=("$2"); fi
}
default_toolchain=false
[ "$CROSS_COMPILE" = riscv64-linux-gnu- ] && default_toolchain=true
wants=${*:-build test kernel}
for want in $wants; do
    case $want in
    build)
        if $default_toolchain; then
            need "command -v ${CROSS_COMPILE}g++" g++-riscv64-linux-gnu
            need "test -e /usr/riscv64-linux-gnu/include/stdio.h" libc6-dev-riscv64-cross
        elif ! command -v "${CROSS_COMPILE}g++" >/dev/null; then
            echo "error: ${CROSS_COMPILE}g++ not found: install that toolchain or unset CROSS_COMPILE" >&2
            exit 1
        fi
        if command -v "$QEMU" >/dev/null; then
            if ! firmware_found; then
                firmware=$(firmware_package) || firmware_error
                missing+=("$firmware")
            fi
        elif [ "$QEMU" = qemu-system-riscv64 ]; then
            missing+=(@qemu)     # its dependencies bring the firmware
        else
            echo "error: QEMU=$QEMU not found: give the path of a qemu-system-riscv64, or unset QEMU" >&2
            exit 1
        fi
        need "command -v make" make ;;
    test)
        need "$(dirname "$0")/find-python.sh" python3-pytest
        need "command -v g++" g++
        need "command -v dtc" device-tree-compiler
        need "command -v xxd" xxd            # a chapter shows bytes with it
        need "command -v patch" patch        # the chapters' solutions
        # disk images, without root (beyond/virtio-blk); in /usr/sbin, which
        # a user's PATH may lack
        need "command -v mke2fs || test -x /usr/sbin/mke2fs" e2fsprogs ;;
    debug)
        need "command -v gdb-multiarch" gdb-multiarch ;;
    bench)
        need "command -v qemu-riscv64" qemu-user ;;
    kernel)
        # The kernel source: chosen again once apt's lists are fresh.
        if [ -n "$(choose_linux)" ]; then missing+=(@linux); fi
        if grep -q '\.bz2$' <<<"$tarballs"; then need "command -v bzip2" bzip2; fi
        need "command -v riscv64-linux-gnu-gcc" gcc-riscv64-linux-gnu
        need "test -e /usr/riscv64-linux-gnu/include/stdio.h" libc6-dev-riscv64-cross
        need "command -v gcc" gcc
        for tool in bc flex bison cpio xz; do
            need "command -v $tool" "$([ $tool = xz ] && echo xz-utils || echo $tool)"
        done ;;
    *) echo "ensure-tools: unknown group '$want'" >&2; exit 2 ;;
    esac
done

# Turns the @ entries into package names; the result is in `packages`.
resolve() {
    local entry linux
    packages=()
    for entry in "${missing[@]}"; do
        case $entry in
        @qemu)
            if available qemu-system-riscv; then packages+=(qemu-system-riscv)
            else packages+=(qemu-system-misc); fi ;;
        @linux)
            linux=$(choose_linux)
            if [ -n "$linux" ]; then packages+=("$linux"); fi
            # Ubuntu's linux-source-X.Y.Z holds a .tar.bz2.
            if [[ $linux =~ ^linux-source-[0-9]+\.[0-9]+\.[0-9]+$ ]] && ! command -v bzip2 >/dev/null; then
                packages+=(bzip2)
            fi ;;
        *) packages+=("$entry") ;;
        esac
    done
    # De-duplicate, keeping the order.
    if [ ${#packages[@]} -gt 0 ]; then
        mapfile -t packages < <(printf '%s\n' "${packages[@]}" | awk '!seen[$0]++')
    fi
}

# Says which packages this release does not have (false if there is one).
all_exist() {
    local p ok=true
    for p in "$@"; do
        if ! available "$p"; then
            echo "error: package $p does not exist on $release" >&2
            ok=false
        fi
    done
    $ok
}

[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null; then
    echo "error: no apt-get here. Missing: ${missing[*]#@}" >&2
    echo "(point CROSS_COMPILE=, QEMU= and LINUX_TARBALL= at tools you have)" >&2
    exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
    sudo=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    sudo=(sudo)
else
    resolve
    [ ${#packages[@]} -eq 0 ] && exit 0
    if all_exist "${packages[@]}"; then
        echo "error: please run:  sudo apt-get install --no-install-recommends ${packages[*]}" >&2
    else
        echo "(unless apt's lists are old: then run sudo apt-get update first)" >&2
    fi
    exit 1
fi

# Only now are apt's lists refreshed: the names depend on them.
echo "Looking up the missing tools' packages (apt-get update)..."
"${sudo[@]}" apt-get update -qq
resolve
[ ${#packages[@]} -eq 0 ] && exit 0
all_exist "${packages[@]}" || exit 1
echo "Installing: ${packages[*]}"
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${packages[@]}"

# The firmware is the one thing an install can leave out without an error.
if [[ " $wants " == *" build "* ]] && ! firmware_found; then firmware_error; fi
