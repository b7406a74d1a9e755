// The Linux ABI that a riscv64 program expects: system call numbers, error
// numbers, and the layout of the structures the calls fill in. The
// numbers and layouts are those of the kernel's asm-generic headers
// (riscv64 uses the generic ones), written out here, since the hypervisor
// has no C library and no kernel headers.
#pragma once
#include <stdint.h>

namespace linux {

// ---- System call numbers (a7) ----
enum Syscall : uint64_t {
    GETCWD = 17,
    DUP = 23,
    DUP3 = 24,
    FCNTL = 25,
    IOCTL = 29,
    FACCESSAT = 48,
    OPENAT = 56,
    CLOSE = 57,
    GETDENTS64 = 61,
    LSEEK = 62,
    READ = 63,
    WRITE = 64,
    READV = 65,
    WRITEV = 66,
    PREAD64 = 67,
    READLINKAT = 78,
    NEWFSTATAT = 79,
    FSTAT = 80,
    EXIT = 93,
    EXIT_GROUP = 94,
    SET_TID_ADDRESS = 96,
    FUTEX = 98,
    SET_ROBUST_LIST = 99,
    NANOSLEEP = 101,
    CLOCK_GETTIME = 113,
    CLOCK_GETRES = 114,
    CLOCK_NANOSLEEP = 115,
    SCHED_YIELD = 124,
    KILL = 129,
    TKILL = 130,
    TGKILL = 131,
    RT_SIGACTION = 134,
    RT_SIGPROCMASK = 135,
    UNAME = 160,
    GETTIMEOFDAY = 169,
    GETPID = 172,
    GETPPID = 173,
    GETUID = 174,
    GETEUID = 175,
    GETGID = 176,
    GETEGID = 177,
    GETTID = 178,
    BRK = 214,
    MUNMAP = 215,
    MREMAP = 216,
    MMAP = 222,
    MPROTECT = 226,
    MADVISE = 233,
    RISCV_HWPROBE = 258,
    PRLIMIT64 = 261,
    GETRANDOM = 278,
    RSEQ = 293,
};

// ---- Error numbers: a call returns -E... in a0 ----
enum Errno : long {
    EPERM = 1,
    ENOENT = 2,
    ESRCH = 3,
    EBADF = 9,
    EAGAIN = 11,
    ENOMEM = 12,
    EFAULT = 14,
    EBUSY = 16,
    EEXIST = 17,
    ENOTDIR = 20,
    EISDIR = 21,
    EINVAL = 22,
    EMFILE = 24,
    ENOTTY = 25,
    ESPIPE = 29,
    EROFS = 30,
    ENAMETOOLONG = 36,
    ENOSYS = 38,
};

// ---- Signals: how a program that did not exit by itself ended ----
enum Signal : int {
    SIGILL = 4,
    SIGTRAP = 5,
    SIGABRT = 6,
    SIGBUS = 7,
    SIGKILL = 9,
    SIGSEGV = 11,
    SIGXCPU = 24,
};
inline constexpr int SIGNALS = 64;

// ---- Structures (asm-generic, 64-bit) ----
struct Timespec {
    int64_t seconds, nanoseconds;
};

struct Timeval {
    int64_t seconds, microseconds;
};

struct Stat {  // struct stat: fstat, newfstatat
    uint64_t dev, ino;
    uint32_t mode, nlink, uid, gid;
    uint64_t rdev, pad1;
    int64_t size;
    int32_t blksize, pad2;
    int64_t blocks;
    Timespec atime, mtime, ctime;
    uint32_t unused[2];
};
static_assert(sizeof(Stat) == 128);

struct Utsname {  // struct new_utsname: uname
    char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

struct Termios {  // struct termios: ioctl TCGETS, TCSETS
    uint32_t iflag, oflag, cflag, lflag;
    uint8_t line;
    uint8_t cc[19];
};
static_assert(sizeof(Termios) == 36);

struct Rlimit {  // prlimit64
    uint64_t current, maximum;
};

struct Sigaction {  // struct sigaction as the kernel takes it: rt_sigaction
    uint64_t handler, flags, mask;
};

struct HwprobePair {  // riscv_hwprobe
    int64_t key;
    uint64_t value;
};

// ---- Constants the calls take ----
inline constexpr int64_t AT_FDCWD = -100;
inline constexpr uint64_t AT_EMPTY_PATH = 0x1000;

inline constexpr uint64_t O_ACCMODE = 3;  // O_RDONLY 0, O_WRONLY 1, O_RDWR 2
inline constexpr uint64_t O_CREAT = 0100, O_TRUNC = 01000, O_APPEND = 02000;
inline constexpr uint64_t O_DIRECTORY = 0200000;

inline constexpr uint32_t S_IFDIR = 0040000, S_IFCHR = 0020000, S_IFREG = 0100000;
inline constexpr uint32_t S_IFMT = 0170000;

inline constexpr uint64_t TCGETS = 0x5401, TCSETS = 0x5402, TCSETSW = 0x5403, TCSETSF = 0x5404;
inline constexpr uint64_t TIOCGWINSZ = 0x5413;
inline constexpr uint32_t ECHO = 0000010, ICANON = 0000002;

inline constexpr uint64_t MAP_SHARED = 0x01, MAP_PRIVATE = 0x02, MAP_FIXED = 0x10,
                          MAP_ANONYMOUS = 0x20, MAP_FIXED_NOREPLACE = 0x100000;
inline constexpr uint64_t MREMAP_MAYMOVE = 1, MREMAP_FIXED = 2;
inline constexpr uint64_t MADV_DONTNEED = 4;

// ---- The auxiliary vector: what the kernel tells a new program ----
enum Auxv : uint64_t {
    AT_NULL = 0,
    AT_PHDR = 3,
    AT_PHENT = 4,
    AT_PHNUM = 5,
    AT_PAGESZ = 6,
    AT_BASE = 7,
    AT_FLAGS = 8,
    AT_ENTRY = 9,
    AT_UID = 11,
    AT_EUID = 12,
    AT_GID = 13,
    AT_EGID = 14,
    AT_PLATFORM = 15,
    AT_HWCAP = 16,
    AT_CLKTCK = 17,
    AT_SECURE = 23,
    AT_RANDOM = 25,
    AT_HWCAP2 = 26,
    AT_EXECFN = 31,
};

// The one process there is: its ids.
inline constexpr long PID = 2;  // not 1: init, whom no signal can kill by default
inline constexpr long UID = 0;

}  // namespace linux
