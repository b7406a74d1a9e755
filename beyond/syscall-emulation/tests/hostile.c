/* hostile: a static Linux program that does one wrong or hostile thing,
 * named by its first argument, for tests/test_beyond_syscall_emulation.py.
 * Not shipped: it does not go to the guest kernel's /bin.
 *
 * Most actions print a line per attempt, "WHAT = RESULT", where RESULT is
 * the system call's return value or -ERRNO name, and exit 0; the others
 * end the program in a way the hypervisor must contain (a signal). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *error_name(int e)
{
	switch (e) {
	case EFAULT: return "EFAULT";
	case EINVAL: return "EINVAL";
	case ENOMEM: return "ENOMEM";
	case EROFS: return "EROFS";
	case EBADF: return "EBADF";
	case ENOSYS: return "ENOSYS";
	case ENOENT: return "ENOENT";
	case EEXIST: return "EEXIST";
	case ENOTTY: return "ENOTTY";
	case EISDIR: return "EISDIR";
	default: return "other";
	}
}

/* A raw system call, its result printed: the number, or -NAME. */
#define TRY(what, ...)                                                         \
	do {                                                                   \
		long r_ = syscall(__VA_ARGS__);                                \
		if (r_ == -1)                                                  \
			printf("%s = -%s\n", what, error_name(errno));         \
		else                                                           \
			printf("%s = %ld\n", what, r_);                        \
	} while (0)

/* Bytes of the program's own code: a read() must never land there. */
static unsigned long checksum(const unsigned char *p, size_t n)
{
	unsigned long sum = 0;
	for (size_t i = 0; i < n; i++)
		sum = sum * 31 + p[i];
	return sum;
}

static void bad_pointers(void)
{
	/* Where no pointer of the program's may take us: nothing (0), the
	 * address of the hypervisor's own image (0x80200000: were the
	 * hypervisor to use a pointer as it is given, it would read or write
	 * itself there), past the end of the address space, memory that is
	 * PROT_NONE, its own code (not writable), a range that starts in its
	 * memory and runs out of it. */
	unsigned char *none = mmap(NULL, 8192, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *edge = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(edge + 4096, 4096); /* edge + 4090: 6 good bytes, then nothing */
	void *text = (void *)bad_pointers;
	void *hypervisor = (void *)0x80200000UL;
	void *high = (void *)0xfffffffffffff000UL;
	unsigned long before = checksum(text, 4096);
	struct iovec {
		void *base;
		size_t length;
	} iov[2] = { { "ok\n", 3 }, { hypervisor, 16 } };
	char path[] = "/";
	int directory = open("/", O_RDONLY | O_DIRECTORY); /* fd 3 */
	int file = open("/notes.txt", O_RDONLY);           /* fd 4 */

	TRY("read(null)", SYS_read, 0, NULL, 16);
	TRY("read(text)", SYS_read, 0, text, 16);
	TRY("read(hypervisor)", SYS_read, 0, hypervisor, 16);
	TRY("read(edge)", SYS_read, 0, edge + 4090, 16);
	TRY("write(hypervisor)", SYS_write, 1, hypervisor, 64);
	TRY("write(none)", SYS_write, 1, none, 16);
	TRY("write(high)", SYS_write, 1, high, 16);
	TRY("write(wrap)", SYS_write, 1, edge, (size_t)-4096);
	TRY("writev(iov)", SYS_writev, 1, iov, 2);
	TRY("writev(null)", SYS_writev, 1, NULL, 1);
	TRY("readv(hypervisor)", SYS_readv, 0, hypervisor, 1);
	TRY("openat(null)", SYS_openat, AT_FDCWD, NULL, O_RDONLY);
	TRY("openat(hypervisor)", SYS_openat, AT_FDCWD, hypervisor, O_RDONLY);
	TRY("newfstatat(path null)", SYS_newfstatat, AT_FDCWD, NULL, edge, 0);
	TRY("newfstatat(buffer text)", SYS_newfstatat, AT_FDCWD, path, text, 0);
	TRY("fstat(hypervisor)", SYS_fstat, 1, hypervisor);
	TRY("ioctl(TCGETS, text)", SYS_ioctl, 1, 0x5401, text);
	TRY("ioctl(TCSETS, null)", SYS_ioctl, 1, 0x5402, NULL);
	TRY("getdents64(text)", SYS_getdents64, directory, text, 4096);
	TRY("readlinkat(null)", SYS_readlinkat, AT_FDCWD, NULL, edge, 64);
	TRY("readlinkat(buffer text)", SYS_readlinkat, AT_FDCWD, path, text, 64);
	TRY("clock_gettime(text)", SYS_clock_gettime, 0, text);
	TRY("clock_gettime(hypervisor)", SYS_clock_gettime, 0, hypervisor);
	TRY("gettimeofday(none)", SYS_gettimeofday, none, NULL);
	TRY("nanosleep(null)", SYS_nanosleep, NULL, NULL);
	TRY("clock_nanosleep(high)", SYS_clock_nanosleep, 0, 0, high, NULL);
	TRY("uname(text)", SYS_uname, text);
	TRY("getrandom(text)", SYS_getrandom, text, 16, 0);
	TRY("getrandom(edge)", SYS_getrandom, edge + 4090, 16, 0);
	TRY("prlimit64(text)", SYS_prlimit64, 0, 3, NULL, text);
	TRY("rt_sigaction(null new)", SYS_rt_sigaction, SIGUSR1, hypervisor, NULL, 8);
	TRY("rt_sigaction(old text)", SYS_rt_sigaction, SIGUSR1, NULL, text, 8);
	TRY("rt_sigprocmask(high)", SYS_rt_sigprocmask, SIG_BLOCK, high, NULL, 8);
	TRY("getcwd(text)", SYS_getcwd, text, 64);
	TRY("riscv_hwprobe(text)", 258, text, 1, 0, NULL, 0);
	TRY("pread64(hypervisor)", SYS_pread64, file, hypervisor, 16, 0);
	printf("its code unchanged: %s\n", checksum(text, 4096) == before ? "yes" : "NO");
}

static void huge_sizes(void)
{
	void *p = mmap(NULL, (size_t)1 << 40, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("mmap(1 TiB) = %s\n", p == MAP_FAILED ? error_name(errno) : "granted");
	p = mmap(NULL, (size_t)-4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("mmap(2^64 - 4096) = %s\n", p == MAP_FAILED ? error_name(errno) : "granted");
	p = mmap(NULL, (size_t)-1, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("mmap(2^64 - 1) = %s\n", p == MAP_FAILED ? error_name(errno) : "granted");
	/* The program's address 0x80200000 is its own, like any other: the
	 * hypervisor's image is there in host memory, which it never sees. */
	p = mmap((void *)0x80200000UL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	printf("mmap(fixed at 0x80200000) = %s\n", p == MAP_FAILED ? error_name(errno) : "granted");
	if (p != MAP_FAILED)
		memset(p, 0xff, 4096); /* were it the hypervisor's, this would end it */
	p = mmap((void *)0x200000000UL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	printf("mmap(fixed at 8 GiB) = %s\n", p == MAP_FAILED ? error_name(errno) : "granted");
	p = mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("mmap(0 bytes) = %s\n", p == MAP_FAILED ? error_name(errno) : "granted");
	void *small = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p = mremap(small, 4096, (size_t)1 << 40, MREMAP_MAYMOVE);
	printf("mremap(to 1 TiB) = %s\n", p == MAP_FAILED ? error_name(errno) : "granted");
	printf("munmap(0x80200000) = %d\n", munmap((void *)0x80200000UL, 4096));
	printf("mprotect(0x80200000, unmapped) = %s\n", mprotect((void *)0x80200000UL, 4096, PROT_READ) ? error_name(errno) : "granted");
	/* Many small mappings, more than the hypervisor keeps areas for
	 * unless it merges them: it must answer, not fall over. */
	int granted = 0;
	for (int i = 0; i < 6000; i++) {
		int prot = i % 2 ? PROT_READ : PROT_NONE; /* never mergeable */
		if (mmap(NULL, 4096, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED)
			granted++;
	}
	printf("6000 mappings: %s\n", granted == 6000 ? "all granted" : granted > 1000 ? "then ENOMEM" : "too few");
}

static int in_data = 1; /* below the heap: brk may never go there */

/* brk(to): does the break move, and to where it was asked? */
static const char *moves(uintptr_t to)
{
	uintptr_t before = (uintptr_t)syscall(SYS_brk, 0);
	uintptr_t after = (uintptr_t)syscall(SYS_brk, to);
	return after == before ? "no" : after == to ? "yes" : "elsewhere";
}

static void brk_below(void)
{
	uintptr_t start = (uintptr_t)syscall(SYS_brk, 0);
	printf("brk(0) moves it: %s\n", moves(0));
	printf("brk(1) moves it: %s\n", moves(1));
	printf("brk(into its data) moves it: %s\n", moves((uintptr_t)&in_data));
	printf("brk(0x80200000) moves it: %s\n", moves(0x80200000UL));
	printf("brk(2^64 - 1) moves it: %s\n", moves((uintptr_t)-1));
	printf("brk(+64 KiB) moves it: %s\n", moves(start + 65536));
	memset((void *)start, 0x5a, 65536);
	printf("brk(back) moves it: %s\n", moves(start));
	syscall(SYS_brk, start + 65536);
	printf("grown again, reads as zeros: %s\n", *(volatile unsigned char *)(start + 100) == 0 ? "yes" : "no");
}

static void read_only_files(void)
{
	TRY("openat(notes.txt, O_WRONLY)", SYS_openat, AT_FDCWD, "/notes.txt", O_WRONLY);
	TRY("openat(new, O_CREAT)", SYS_openat, AT_FDCWD, "/new.txt", O_WRONLY | O_CREAT, 0644);
	TRY("openat(/, O_RDWR)", SYS_openat, AT_FDCWD, "/", O_RDWR);
	long fd = syscall(SYS_openat, AT_FDCWD, "/notes.txt", O_RDONLY);
	TRY("write(read-only file)", SYS_write, fd, "x", 1);
	static char buffer[8];
	TRY("read(directory)", SYS_read, syscall(SYS_openat, AT_FDCWD, "/", O_RDONLY), buffer, 8);
	TRY("mkdirat", SYS_mkdirat, AT_FDCWD, "/d", 0755);
}

static void unknown_calls(void)
{
	TRY("syscall(999)", 999);
	TRY("syscall(999) again", 999);
	TRY("clone", SYS_clone, SIGCHLD, 0, 0, 0, 0);
	TRY("socket", SYS_socket, 2, 1, 0);
}

int main(int argc, char **argv)
{
	const char *action = argc > 1 ? argv[1] : "";
	setvbuf(stdout, NULL, _IONBF, 0); /* each line out before the next attempt */
	if (!strcmp(action, "bad-pointers"))
		bad_pointers();
	else if (!strcmp(action, "huge"))
		huge_sizes();
	else if (!strcmp(action, "brk"))
		brk_below();
	else if (!strcmp(action, "read-only"))
		read_only_files();
	else if (!strcmp(action, "unknown"))
		unknown_calls();
	else if (!strcmp(action, "jump-hypervisor"))
		((void (*)(void))0x80200000UL)();
	else if (!strcmp(action, "jump-null"))
		((void (*)(void))0)();
	else if (!strcmp(action, "store-code"))
		*(volatile int *)(void *)main = 0;
	else if (!strcmp(action, "load-hypervisor"))
		printf("%d\n", *(volatile int *)0x80200000UL);
	else if (!strcmp(action, "illegal"))
		__asm__ volatile(".word 0");
	else if (!strcmp(action, "privileged")) {
		unsigned long status;
		__asm__ volatile("csrr %0, sstatus" : "=r"(status));
		printf("sstatus = %lx\n", status);
	} else if (!strcmp(action, "hypervisor-csr")) {
		unsigned long hgatp;
		__asm__ volatile("csrr %0, 0x680" : "=r"(hgatp)); /* hgatp */
		printf("hgatp = %lx\n", hgatp);
	} else if (!strcmp(action, "ebreak"))
		__asm__ volatile("ebreak");
	else if (!strcmp(action, "abort"))
		abort();
	else if (!strcmp(action, "loop"))
		for (;;)
			__asm__ volatile("" ::: "memory");
	else if (!strcmp(action, "recurse")) {
		/* Past the 8 MiB of stack, a page at a time. */
		volatile char *p = alloca(1);
		for (;;) {
			p -= 4096;
			*p = 1;
		}
	} else if (!strcmp(action, "eat")) {
		/* Touch more memory than it may have (mem=): each mapping is
		 * within the limit, so it is granted; the pages run out. */
		for (;;) {
			char *p = mmap(NULL, 8 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (p == MAP_FAILED) {
				printf("mmap refused\n");
				return 1;
			}
			for (size_t i = 0; i < 8 << 20; i += 4096)
				p[i] = 1;
		}
	} else {
		fprintf(stderr, "hostile: unknown action '%s'\n", action);
		return 2;
	}
	return 0;
}
