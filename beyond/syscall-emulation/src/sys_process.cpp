// The process calls: exit, ids, limits, signals (recorded, never
// delivered), the thread bookkeeping glibc's startup asks for, and what the
// machine is (uname, riscv_hwprobe, getrandom).
#include "linux.hpp"
#include "process.hpp"
#include "riscv.hpp"
#include "user_memory.hpp"

using namespace linux;

namespace {

constexpr uint64_t RLIMIT_STACK = 3, RLIMIT_NOFILE = 7, RLIM_INFINITY = ~0ull;

long prlimit(Process& p, const Arguments& a) {
    if (a.a[0] != 0 && static_cast<long>(a.a[0]) != PID) return -ESRCH;
    if (a.a[1] >= 16) return -EINVAL;
    if (a.a[2] != 0) return -EPERM;  // no limit can be changed here
    Rlimit limit{RLIM_INFINITY, RLIM_INFINITY};
    if (a.a[1] == RLIMIT_STACK) limit = {8 * 1024 * 1024, RLIM_INFINITY};
    if (a.a[1] == RLIMIT_NOFILE) limit = {Process::MAX_FILES, Process::MAX_FILES};
    if (a.a[3] != 0 && !user::write(p.memory, a.a[3], limit)) return -EFAULT;
    return 0;
}

long sigaction(Process& p, const Arguments& a) {
    const uint64_t signal = a.a[0];
    if (a.a[3] != 8) return -EINVAL;  // sigsetsize: 64 signals
    if (signal == 0 || signal > SIGNALS) return -EINVAL;
    Sigaction action;
    if (a.a[1] != 0 && !user::read(p.memory, action, a.a[1])) return -EFAULT;
    if (a.a[2] != 0 && !user::write(p.memory, a.a[2], p.actions[signal])) return -EFAULT;
    if (a.a[1] != 0) {
        if (signal == SIGKILL || signal == 19) return -EINVAL;  // SIGKILL, SIGSTOP
        p.actions[signal] = action;  // recorded: no signal is ever delivered
    }
    return 0;
}

long sigprocmask(Process& p, const Arguments& a) {
    if (a.a[3] != 8) return -EINVAL;
    uint64_t set = 0;
    if (a.a[1] != 0 && !user::read(p.memory, set, a.a[1])) return -EFAULT;
    if (a.a[2] != 0 && !user::write(p.memory, a.a[2], p.signal_mask)) return -EFAULT;
    if (a.a[1] == 0) return 0;
    switch (a.a[0]) {
        case 0: p.signal_mask |= set; break;   // SIG_BLOCK
        case 1: p.signal_mask &= ~set; break;  // SIG_UNBLOCK
        case 2: p.signal_mask = set; break;    // SIG_SETMASK
        default: return -EINVAL;
    }
    return 0;
}

// kill, tkill, tgkill to itself (abort() raises SIGABRT so): no handler
// can run here, so a signal does what its default action would, and the
// ones whose default is to ignore them are ignored.
long send_signal(Process& p, uint64_t target, uint64_t signal) {
    if (target != static_cast<uint64_t>(PID) && target != 0) return -ESRCH;
    if (signal > SIGNALS) return -EINVAL;
    const bool ignored_by_default = signal == 0 || signal == 17 || signal == 18 || signal == 23 ||
                                    signal == 28;  // SIGCHLD, SIGCONT, SIGURG, SIGWINCH
    if (!ignored_by_default && p.actions[signal].handler != 1)  // 1: SIG_IGN
        p.kill(static_cast<int>(signal));
    return 0;
}

long uname(Process& p, uint64_t address) {
    Utsname u{};
    auto set = [](char* field, const char* text) {
        for (int i = 0; text[i] != '\0' && i < 64; i++) field[i] = text[i];
    };
    set(u.sysname, "Linux");
    set(u.nodename, "(none)");
    set(u.release, "6.12.0");
    set(u.version, "#1 emulated by the hypervisor, no kernel");
    set(u.machine, "riscv64");
    set(u.domainname, "(none)");
    return user::write(p.memory, address, u) ? 0 : -EFAULT;
}

// riscv_hwprobe (Linux 6.4): glibc 2.40 and later ask at startup whether
// misaligned accesses are fast, to choose its memcpy. Each (key, value)
// pair gets its value; a key we do not know gets key -1, as Linux does.
long hwprobe(Process& p, const Arguments& a) {
    const uint64_t pairs = a.a[0], count = a.a[1];
    if (a.a[4] != 0) return -EINVAL;  // flags
    if (a.a[2] != 0 && !p.memory.accessible(a.a[3], a.a[2], prot::READ)) return -EFAULT;
    if (count > 4096) return -EINVAL;
    for (uint64_t i = 0; i < count; i++) {
        HwprobePair pair;
        const uint64_t at = pairs + i * sizeof pair;
        if (!user::read(p.memory, pair, at)) return -EFAULT;
        switch (pair.key) {
            case 0: case 1: case 2: pair.value = 0; break;  // vendor, architecture, implementation ids
            case 3: pair.value = 1; break;                   // BASE_BEHAVIOR: IMA
            case 4: pair.value = 1 | 2; break;               // IMA_EXT_0: F and D, C
            case 5: pair.value = 0; break;                   // CPUPERF_0: misaligned speed unknown
            default: pair = {-1, 0}; break;
        }
        if (!user::write(p.memory, at, pair)) return -EFAULT;
    }
    return 0;
}

// Not for cryptography: a generator seeded from the clock. A real kernel
// gathers entropy; this one has none to gather.
long getrandom(Process& p, uint64_t buffer, uint64_t length) {
    static uint64_t state = riscv::read_time() * 0x9e37'79b9'7f4a'7c15ull;
    if (length > 33'554'431) length = 33'554'431;  // Linux's most per call
    const bool ok = user::for_each_piece(p.memory, buffer, length, prot::WRITE,
                                         [](uint8_t* piece, uint64_t n) {
        for (uint64_t i = 0; i < n; i++) {  // splitmix64, a byte at a time
            uint64_t z = (state += 0x9e37'79b9'7f4a'7c15ull);
            z = (z ^ (z >> 30)) * 0xbf58'476d'1ce4'e5b9ull;
            z = (z ^ (z >> 27)) * 0x94d0'49bb'1331'11ebull;
            piece[i] = static_cast<uint8_t>(z ^ (z >> 31));
        }
    });
    return ok ? static_cast<long>(length) : -EFAULT;
}

// rseq: glibc 2.35 and later register an area the kernel keeps the
// current CPU in. There is one CPU, 0, and it is written once.
long rseq(Process& p, const Arguments& a) {
    const uint64_t area = a.a[0], length = a.a[1], flags = a.a[2];
    constexpr uint64_t UNREGISTER = 1;
    if (flags == UNREGISTER) {
        if (area != p.rseq) return -EINVAL;
        p.rseq = 0;
        return 0;
    }
    if (flags != 0 || length < 32 || area % 32 != 0) return -EINVAL;
    if (p.rseq != 0) return area == p.rseq ? -EBUSY : -EINVAL;
    const uint32_t cpu[2] = {0, 0};  // cpu_id_start, cpu_id
    if (!p.memory.accessible(area, length, prot::WRITE) || !user::write(p.memory, area, cpu))
        return -EFAULT;
    p.rseq = area;
    return 0;
}

}  // namespace

bool is_process_call(uint64_t number) {
    switch (number) {
        case EXIT: case EXIT_GROUP: case GETPID: case GETPPID: case GETTID: case GETUID:
        case GETEUID: case GETGID: case GETEGID: case SET_TID_ADDRESS: case SET_ROBUST_LIST:
        case RSEQ: case PRLIMIT64: case RT_SIGACTION: case RT_SIGPROCMASK: case KILL: case TKILL:
        case TGKILL: case UNAME: case RISCV_HWPROBE: case GETRANDOM: case SCHED_YIELD:
            return true;
        default:
            return false;
    }
}

long sys_process(Process& p, uint64_t number, const Arguments& a) {
    switch (number) {
        case EXIT:  // the only thread: the process ends with it
        case EXIT_GROUP: p.exit(static_cast<int>(a.a[0])); return 0;
        case GETPID:
        case GETTID: return PID;
        case GETPPID: return 1;
        case GETUID: case GETEUID: case GETGID: case GETEGID: return UID;
        case SET_TID_ADDRESS: p.clear_child_tid = a.a[0]; return PID;
        case SET_ROBUST_LIST:
            if (a.a[1] != 24) return -EINVAL;  // sizeof(struct robust_list_head)
            p.robust_list = a.a[0];
            return 0;
        case RSEQ: return rseq(p, a);
        case PRLIMIT64: return prlimit(p, a);
        case RT_SIGACTION: return sigaction(p, a);
        case RT_SIGPROCMASK: return sigprocmask(p, a);
        case KILL: return send_signal(p, a.a[0], a.a[1]);
        case TKILL: return send_signal(p, a.a[0], a.a[1]);
        case TGKILL: return a.a[0] != static_cast<uint64_t>(PID) ? -ESRCH : send_signal(p, a.a[1], a.a[2]);
        case UNAME: return uname(p, a.a[0]);
        case RISCV_HWPROBE: return hwprobe(p, a);
        case GETRANDOM: return getrandom(p, a.a[0], a.a[1]);
        case SCHED_YIELD: return 0;  // nobody else to run
        default: return -ENOSYS;
    }
}
