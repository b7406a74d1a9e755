/*
 * probe.c - a static Linux program for the sandbox library's tests
 * (tests/test_sandbox.py), run with no kernel by beyond/syscall-emulation.
 *
 *   probe bytes N    every byte value, N times, on stdout; "to stderr" on stderr
 *   probe echo       its whole standard input back on stdout
 *   probe dirty      leaves what it can behind: a heap, a mapping, files
 *                    open, the terminal's echo off, time spent
 *   probe clean      says what it found of any earlier program: "clean",
 *                    and where its mapping went (the same address, unless
 *                    an earlier program's mapping is still in the way)
 *   probe exit N     exits with status N
 *   probe motto      prints a constant string (in its read-only segment)
 *   probe patch page|segment
 *                    makes that string's page (or its whole segment)
 *                    writable, changes the string, prints it: the next
 *                    run must not see that
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>
#include <elf.h>
#include <sys/auxv.h>

static void bytes(int times)
{
	unsigned char all[256];
	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	for (int i = 0; i < times; i++)
		write(1, all, sizeof all);
	write(2, "to stderr", 9);
}

static void echo(void)
{
	char buffer[65536];
	ssize_t n;
	while ((n = read(0, buffer, sizeof buffer)) > 0)
		write(1, buffer, (size_t)n);
}

static void dirty(void)
{
	char *heap = sbrk(1 << 20);
	memset(heap, 0xa5, 1 << 20);
	char *map = mmap(0, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(map, 0x5a, 1 << 20);
	open("/", O_RDONLY); /* left open: fd 3 */
	struct termios t;
	tcgetattr(0, &t);
	t.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(0, TCSANOW, &t);
	struct timespec wait = { 0, 200 * 1000 * 1000 };
	nanosleep(&wait, 0);
	puts("dirty");
}

static void clean(void)
{
	int leaks = 0;
	char *heap = sbrk(0);
	char *more = sbrk(1 << 20);
	for (int i = 0; i < 1 << 20; i++)
		if (more[i] != 0) { puts("leak: the heap holds an earlier program's bytes"); leaks++; break; }
	char *map = mmap(0, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (int i = 0; i < 1 << 20; i++)
		if (map[i] != 0) { puts("leak: a mapping holds an earlier program's bytes"); leaks++; break; }
	if (fcntl(3, F_GETFD) != -1) { puts("leak: fd 3 is open"); leaks++; }
	struct termios t;
	if (tcgetattr(0, &t) == 0 && !(t.c_lflag & ECHO)) { puts("leak: the terminal's echo is off"); leaks++; }
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec > 0 || now.tv_nsec > 150 * 1000 * 1000) { puts("leak: the clock did not start again"); leaks++; }
	if (!leaks) printf("clean, heap at %p, mapping at %p\n", (void *)heap, (void *)map);
}

static const char motto[] = "try catch continue";

/* Make the page of motto, or the whole segment that holds it, writable,
 * and change motto. The two take different paths in the hypervisor: a
 * page cuts the segment's area in three, a segment keeps it whole. */
static void patch(const char *what)
{
	unsigned long at = (unsigned long)motto, page = (unsigned long)sysconf(_SC_PAGESIZE);
	unsigned long start = at & ~(page - 1), end = start + page;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
	for (unsigned long i = 0; !strcmp(what, "segment") && i < getauxval(AT_PHNUM); i++) {
		if (ph[i].p_type == PT_LOAD && at - ph[i].p_vaddr < ph[i].p_memsz) {
			start = ph[i].p_vaddr & ~(page - 1);
			end = (ph[i].p_vaddr + ph[i].p_memsz + page - 1) & ~(page - 1);
		}
	}
	if (mprotect((void *)start, end - start, PROT_READ | PROT_WRITE | PROT_EXEC) != 0) {
		perror("mprotect");
		exit(1);
	}
	((char *)motto)[0] = 'T';
	puts(motto);
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "bytes"))
		bytes(atoi(argv[2]));
	else if (argc == 2 && !strcmp(argv[1], "echo"))
		echo();
	else if (argc == 2 && !strcmp(argv[1], "dirty"))
		dirty();
	else if (argc == 2 && !strcmp(argv[1], "clean"))
		clean();
	else if (argc == 3 && !strcmp(argv[1], "exit"))
		return atoi(argv[2]);
	else if (argc == 2 && !strcmp(argv[1], "motto"))
		puts(motto);
	else if (argc == 3 && !strcmp(argv[1], "patch"))
		patch(argv[2]);
	else
		return 100;
	return 0;
}
