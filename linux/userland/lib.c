/*
 * lib.c - what a C library would give the userland: a few string
 * functions (the compiler may call memset and friends itself), output to
 * the console, reading a line, the clock.
 */
#include "lib.h"

/* ---- The few string helpers we need (the compiler may call these) ------ */

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	if (d < s)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

int streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

int strcmp_(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

/* ---- Output ------------------------------------------------------------ */

void write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		long n = SC3(SYS_write, fd, buf, len);
		if (n == -4 /* EINTR */)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

void puts_fd(int fd, const char *s)
{
	write_all(fd, s, strlen(s));
}

void out(const char *s)
{
	puts_fd(1, s);
}

int errors;

void err(const char *s)
{
	errors++;
	puts_fd(2, s);
}

const char *errno_text(long e)
{
	switch (e) {
	case 1: return "Operation not permitted";
	case 2: return "No such file or directory";
	case 5: return "Input/output error";
	case 9: return "Bad file descriptor";
	case 12: return "Cannot allocate memory";
	case 13: return "Permission denied";
	case 14: return "Bad address";
	case 16: return "Device or resource busy";
	case 17: return "File exists";
	case 19: return "No such device";
	case 20: return "Not a directory";
	case 21: return "Is a directory";
	case 22: return "Invalid argument";
	case 24: return "Too many open files";
	case 28: return "No space left on device";
	case 30: return "Read-only file system";
	case 36: return "File name too long";
	case 38: return "Function not implemented";
	default: return "Unknown error";
	}
}

/* Prints "PROG: WHAT: strerror(-ret)". */
void report(const char *prog, const char *what, long ret)
{
	err(prog);
	err(": ");
	err(what);
	err(": ");
	err(errno_text(-ret));
	err("\n");
}

/* Prints an unsigned number in decimal. */
void out_number(unsigned long value)
{
	char digits[24];
	int n = 0;
	do {
		digits[n++] = (char)('0' + value % 10);
		value /= 10;
	} while (value != 0);
	char text[24];
	for (int i = 0; i < n; i++)
		text[i] = digits[n - 1 - i];
	text[n] = '\0';
	out(text);
}

/* Parses a decimal number; 0 (false) if `s` is not one. */
int parse_number(const char *s, unsigned long *value)
{
	unsigned long v = 0;
	if (*s == '\0')
		return 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (~0UL - 9) / 10)
			return 0;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	*value = v;
	return 1;
}

/* ---- Reading lines ----------------------------------------------------- */

/* Reads one line of standard input into buf (without its newline).
 * Returns its length, or -1 at the end of input.  A line longer than the
 * buffer is cut short and *too_long set. */
long read_line(char *buf, size_t size, int *too_long)
{
	size_t len = 0;
	*too_long = 0;
	for (;;) {
		char c;
		long n = SC3(SYS_read, 0, &c, 1);
		if (n == -4 /* EINTR */)
			continue;
		if (n <= 0) {
			if (len == 0)
				return -1;
			break; /* a last line without its newline */
		}
		if (c == '\n')
			break;
		if (c == '\r')
			continue;
		if (len < size - 1)
			buf[len++] = c;
		else
			*too_long = 1;
	}
	buf[len] = '\0';
	return (long)len;
}

/* The monotonic clock, in nanoseconds. */
unsigned long now_ns(void)
{
	long ts[2];
	SC2(SYS_clock_gettime, CLOCK_MONOTONIC, ts);
	return (unsigned long)ts[0] * 1000000000UL + (unsigned long)ts[1];
}
