/*
 * lib.h - the userland's little library (lib.c).
 */
#ifndef LIB_H
#define LIB_H

#include "sys.h"

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
size_t strlen(const char *s);
int streq(const char *a, const char *b);
int strcmp_(const char *a, const char *b);

/* Output: all of it, to fd 1 (out) or fd 2 (err). err() also counts in
 * `errors`: a command that printed an error failed. */
extern int errors;
void write_all(int fd, const char *buf, size_t len);
void puts_fd(int fd, const char *s);
void out(const char *s);
void err(const char *s);
void out_number(unsigned long value);
const char *errno_text(long e);
/* Prints "PROG: WHAT: strerror(-ret)" to fd 2. */
void report(const char *prog, const char *what, long ret);

/* Parses a decimal number; 0 (false) if `s` is not one. */
int parse_number(const char *s, unsigned long *value);

/* Reads one line of standard input into buf (without its newline).
 * Returns its length, or -1 at the end of input.  A line longer than the
 * buffer is cut short and *too_long set. */
long read_line(char *buf, size_t size, int *too_long);

unsigned long now_ns(void);

#endif
