#!/usr/bin/env bash
# Plays a new attendee on a freshly installed Debian: a minimal chroot of
# RELEASE, only git and make in it, a clone of this repository's committed
# HEAD, then the README's two commands exactly as written, as root:
# `make test`, then `make run` with `poweroff` typed at the guest's prompt.
# It proves that the tool check installs everything the rest needs.
#
# usage: scripts/fresh-debian.sh bookworm|trixie      (as root)
#   KEEP=1           keep the chroot (unmounted) for a look afterwards
#   RUN_TIMEOUT=900  seconds `make run` may take, guest prompt included
#
# The chroot lives under ${TMPDIR:-/tmp}. Two things are kept between runs,
# in ${XDG_CACHE_HOME:-$HOME/.cache}/riscv-hypervisor-cpp: the debootstrap
# result (a week at most), and the guest kernel builds, which the chroot
# sees at the same place in its /root, so the kernel is built once per
# compiler rather than once per run.
set -euo pipefail

release=${1:-}
case $release in
bookworm|trixie) ;;
*) echo "usage: $0 bookworm|trixie" >&2; exit 2 ;;
esac
if [ "$(id -u)" -ne 0 ]; then
    echo "error: $0 needs root (debootstrap, chroot and mounts): sudo $0 $release" >&2
    exit 2
fi

repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/riscv-hypervisor-cpp
base_tarball=$cache/fresh-debian/$release-minbase.tar.gz
mkdir -p "$cache/fresh-debian"
root=$(mktemp -d "${TMPDIR:-/tmp}/fresh-$release.XXXXXX")
chmod 755 "$root"
mounts=()        # what we mounted, in order: unmounted in reverse
phase_pid=       # the running phase, stopped if we are interrupted
summary=()       # one line per finished phase
failed=0

# --- Cleaning up, whatever happens --------------------------------------------
mounted_below_root() {
    awk -v r="$root" '$5 == r || index($5, r "/") == 1 { print $5 }' /proc/self/mountinfo
}

# A process and all its descendants, children first.
kill_tree() {
    local pid=$1 child
    for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do kill_tree "$child"; done
    kill -TERM "$pid" 2>/dev/null || true
}

cleanup() {
    local status=$? pid i
    trap - EXIT INT TERM
    # Finish whatever fails from here on, even with nobody left to read us.
    set +e
    trap '' PIPE
    # Stop the phase still running, then anything left inside the chroot
    # (a kernel build, QEMU): a busy mount cannot be unmounted cleanly.
    if [ -n "$phase_pid" ]; then kill_tree "$phase_pid"; fi
    for i in 1 2 3 4 5 6 7 8 9 10; do
        pids=()
        for pid in /proc/[0-9]*; do
            [ "$(readlink "$pid/root" 2>/dev/null)" = "$root" ] && pids+=("${pid#/proc/}")
        done
        [ ${#pids[@]} -eq 0 ] && break
        kill "$([ "$i" -lt 10 ] && echo -TERM || echo -KILL)" "${pids[@]}" 2>/dev/null || true
        sleep 0.5
    done
    for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
        umount "${mounts[i]}" 2>/dev/null || umount --lazy "${mounts[i]}" || true
    done
    left=$(mounted_below_root)
    if [ -n "$left" ]; then status=1; fi
    echo
    echo "== fresh $release: summary"
    if [ ${#summary[@]} -gt 0 ]; then printf '   %s\n' "${summary[@]}"; fi
    if [ "$status" -eq 0 ] && [ "$failed" -eq 0 ]; then
        echo "== PASS"
    else
        echo "== FAIL"
        [ "$status" -ne 0 ] || status=1
    fi
    if [ -n "$left" ]; then
        # Never rm -rf through a bind mount: it would delete the host's files.
        echo "error: still mounted, so $root is left as it is:" >&2
        echo "$left" >&2
    elif [ "${KEEP:-}" = 1 ]; then
        echo "kept, nothing mounted: $root   (enter: chroot $root bash; remove: rm -rf $root)"
    else
        echo "removing $root"
        rm -rf --one-file-system "$root"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'echo; echo "interrupted"; exit 130' INT
trap 'echo; echo "terminated"; exit 143' TERM

# --- Phases: timed, run in the background so that a signal stops them ---------
# (bash delays its traps until a foreground command ends; `wait` it interrupts.)
phase() {    # phase NAME COMMAND...: runs it, records its time and status
    local name=$1 start status=0
    shift
    echo
    echo "== $name"
    start=$(date +%s)
    "$@" &
    phase_pid=$!
    wait "$phase_pid" || status=$?
    phase_pid=
    local t=$(($(date +%s) - start))
    local line
    line=$(printf '%-12s %3dm%02ds  ' "$name" $((t / 60)) $((t % 60)))
    if [ "$status" -eq 0 ]; then
        summary+=("${line}ok")
    else
        summary+=("${line}FAILED (exit $status)")
        failed=1
    fi
    echo "== $name: $(printf '%dm%02ds' $((t / 60)) $((t % 60))), exit $status"
    return "$status"
}

# Runs a command as root inside the chroot, with the environment a fresh
# login would have: nothing of ours (QEMU=, CROSS_COMPILE=, XDG_CACHE_HOME=...)
# leaks in.
chroot_bash=(chroot "$root" /usr/bin/env -i HOME=/root TERM="${TERM:-dumb}" LANG=C.UTF-8
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin bash -c)
in_chroot() { "${chroot_bash[@]}" "$1"; }

# --- The host's tools ---------------------------------------------------------
need=()
command -v debootstrap >/dev/null || need+=(debootstrap)
command -v python3 >/dev/null || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
    echo "installing on this machine: ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi

# --- 1. A minimal Debian, as debootstrap makes it -------------------------------
bootstrap() {
    if [ -n "$(find "$base_tarball" -mtime -7 2>/dev/null)" ]; then
        echo "reusing $base_tarball ($(date -r "$base_tarball" +%F); delete it to bootstrap anew)"
        tar -C "$root" --numeric-owner -xzpf "$base_tarball"
    else
        debootstrap --variant=minbase "$release" "$root" http://deb.debian.org/debian  # 1-2 minutes
        rm -f "$root"/var/cache/apt/archives/*.deb      # as an installed system has it
        tar -C "$root" --numeric-owner -czf "$base_tarball.tmp" .
        mv "$base_tarball.tmp" "$base_tarball"
    fi
    # The sources a standard installation has: updates and security too
    # (Debian 12 gets linux-source-6.12 from bookworm-security).
    cat >"$root/etc/apt/sources.list" <<EOF
deb http://deb.debian.org/debian $release main
deb http://deb.debian.org/debian $release-updates main
deb http://deb.debian.org/debian-security $release-security main
EOF
    cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
}
phase debootstrap bootstrap

# --- 2. Mounts -------------------------------------------------------------------
bind() {     # bind SOURCE TARGET-INSIDE-THE-CHROOT
    mkdir -p "$root$2"
    mount --bind "$1" "$root$2"
    mounts+=("$root$2")
}
mount -t proc proc "$root/proc"
mounts+=("$root/proc")
bind /sys /sys
bind /dev /dev
bind /dev/pts /dev/pts
mkdir -p "$cache"
bind "$cache" /root/.cache/riscv-hypervisor-cpp

# --- 3. What the README assumes, and the clone -----------------------------------
# The clone comes from a bare copy of the committed history: uncommitted
# changes are not tested, as in CI.
echo
echo "testing commit $(git -c safe.directory="$repo" -C "$repo" log -1 --format='%h %s')"
git -c safe.directory="$repo" clone --bare --quiet "$repo" "$root/srv/riscv-hypervisor.git"
phase setup in_chroot '
    set -e
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends git make >/dev/null
    cd /root && git clone --quiet /srv/riscv-hypervisor.git riscv-hypervisor
    echo "git $(git --version | cut -d" " -f3), make $(make --version | head -1 | cut -d" " -f3)"' || exit 1

# --- 4. The README's two commands ------------------------------------------------
phase "make test" in_chroot 'cd /root/riscv-hypervisor && make test' || true

# `make run` needs a terminal: a pseudo-terminal, read until the guest's
# prompt, where `poweroff` and Enter are typed. QEMU's exit status is make's.
drive_make_run() {
    python3 - "${RUN_TIMEOUT:-900}" "$@" <<'EOF'
import os, pty, select, signal, sys, time
timeout, command = float(sys.argv[1]), sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(command[0], command)
deadline, tail, typed = time.monotonic() + timeout, b"", False
while True:
    left = deadline - time.monotonic()
    if left <= 0:
        print(f"\n[fresh-debian] make run: no power-off within {timeout:.0f}s, killing it", flush=True)
        os.killpg(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        sys.exit(124)
    if not select.select([fd], [], [], min(left, 1.0))[0]:
        continue
    try:
        data = os.read(fd, 4096)
    except OSError:          # EIO: the other side of the terminal is closed
        data = b""
    if not data:
        break
    sys.stdout.buffer.write(data)
    sys.stdout.flush()
    tail = (tail + data)[-64:]
    if not typed and b"guest$ " in tail:
        os.write(fd, b"poweroff\r")     # Enter, as a terminal in raw mode sends it
        typed = True
status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
if not typed:
    print("\n[fresh-debian] make run: the guest's prompt never appeared", flush=True)
sys.exit(status if typed else (status or 1))
EOF
}
phase "make run" drive_make_run "${chroot_bash[@]}" 'cd /root/riscv-hypervisor && make run' || true
