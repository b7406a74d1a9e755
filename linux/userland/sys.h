/*
 * sys.h - the guest userland's only interface to the kernel: raw Linux
 * system calls, issued with the RISC-V `ecall` instruction.  There is no C
 * library at all (no dynamic loader either), so the programs are a few
 * kilobytes and add almost nothing to the boot time.
 *
 * Linux/RISC-V system call convention: number in a7, arguments in a0..a5,
 * result in a0.  A result in [-4095, -1] is a negated errno value.
 */
#ifndef SYS_H
#define SYS_H

typedef unsigned long size_t;
typedef long ssize_t;

/* ---- System call numbers (asm-generic table, used by riscv64) ---------- */

enum {
	SYS_dup3 = 24,
	SYS_fcntl = 25,
	SYS_ioctl = 29,
	SYS_mkdirat = 34,
	SYS_mount = 40,
	SYS_openat = 56,
	SYS_close = 57,
	SYS_pipe2 = 59,
	SYS_getdents64 = 61,
	SYS_read = 63,
	SYS_write = 64,
	SYS_ppoll = 73,
	SYS_sync = 81,
	SYS_exit = 93,
	SYS_nanosleep = 101,
	SYS_clock_gettime = 113,
	SYS_sched_setaffinity = 122,
	SYS_sched_getaffinity = 123,
	SYS_kill = 129,
	SYS_reboot = 142,
	SYS_uname = 160,
	SYS_getcpu = 168,
	SYS_getpid = 172,
	SYS_clone = 220,
	SYS_execve = 221,
	SYS_wait4 = 260,
};

#define AT_FDCWD (-100)
#define O_RDONLY 0
#define O_WRONLY 1
#define O_RDWR 2
#define O_CREAT 0100
#define O_TRUNC 01000
#define O_DIRECTORY 0200000
#define O_CLOEXEC 02000000
#define F_GETFD 1
#define SIGCHLD 17
#define CLOCK_MONOTONIC 1

/* The terminal's settings (asm-generic struct termios), and the flags we
 * change. */
struct termios {
	unsigned int c_iflag, c_oflag, c_cflag, c_lflag;
	unsigned char c_line;
	unsigned char c_cc[19];
};
#define TCGETS 0x5401
#define TCSETS 0x5402
#define ICRNL 0000400
#define IXON 0002000
#define OPOST 0000001
#define ISIG 0000001
#define ICANON 0000002
#define ECHO 0000010
#define VTIME 5
#define VMIN 6

#define REBOOT_MAGIC1 0xfee1deadUL
#define REBOOT_MAGIC2 0x28121969UL
#define REBOOT_CMD_POWER_OFF 0x4321fedcUL
#define REBOOT_CMD_HALT 0xcdef0123UL

static inline long syscall6(long n, long a, long b, long c, long d, long e, long f)
{
	register long a7 __asm__("a7") = n;
	register long a0 __asm__("a0") = a;
	register long a1 __asm__("a1") = b;
	register long a2 __asm__("a2") = c;
	register long a3 __asm__("a3") = d;
	register long a4 __asm__("a4") = e;
	register long a5 __asm__("a5") = f;
	__asm__ volatile("ecall"
			 : "+r"(a0)
			 : "r"(a7), "r"(a1), "r"(a2), "r"(a3), "r"(a4), "r"(a5)
			 : "memory");
	return a0;
}

#define SC0(n) syscall6((n), 0, 0, 0, 0, 0, 0)
#define SC1(n, a) syscall6((n), (long)(a), 0, 0, 0, 0, 0)
#define SC2(n, a, b) syscall6((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define SC3(n, a, b, c) syscall6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define SC4(n, a, b, c, d) \
	syscall6((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define SC5(n, a, b, c, d, e) \
	syscall6((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

#endif
