/*
 * agent.c - agent mode (see agent.h for the frames).
 */
#include "agent.h"

#include "commands.h"
#include "lib.h"
#include "sys.h"

static const char MAGIC[4] = { 0x1e, 'A', 'G', 'T' };
#define HEADER 9 /* magic, kind, length */
#define CHUNK 4096

struct pollfd {
	int fd;
	short events, revents;
};
#define POLLIN 0x001
#define SIGKILL 9

static void put_u32(char *at, unsigned long value)
{
	for (int i = 0; i < 4; i++)
		at[i] = (char)(value >> (8 * i));
}

static unsigned long get_u32(const char *at)
{
	unsigned long value = 0;
	for (int i = 0; i < 4; i++)
		value |= (unsigned long)(unsigned char)at[i] << (8 * i);
	return value;
}

static void send(char kind, const char *payload, size_t size)
{
	char header[HEADER];
	memcpy(header, MAGIC, 4);
	header[4] = kind;
	put_u32(header + 5, size);
	write_all(1, header, HEADER);
	write_all(1, payload, size);
}

static void send_text(char kind, const char *text)
{
	send(kind, text, strlen(text));
}

/* Exactly `size` bytes of the console; 0 (false) at its end. */
static int read_exact(char *buf, size_t size)
{
	while (size > 0) {
		long n = SC3(SYS_read, 0, buf, size);
		if (n == -4 /* EINTR */)
			continue;
		if (n <= 0)
			return 0;
		buf += n;
		size -= (size_t)n;
	}
	return 1;
}

/* The next frame's kind and length: after its magic, found by skipping
 * whatever came before it. 0 at the end of the console. */
static char next_frame(unsigned long *length)
{
	char header[HEADER];
	size_t matched = 0;
	while (matched < 4) {
		if (!read_exact(header + matched, 1))
			return 0;
		if (header[matched] == MAGIC[matched])
			matched++;
		else
			matched = header[matched] == MAGIC[0];
	}
	if (!read_exact(header + 4, HEADER - 4))
		return 0;
	*length = get_u32(header + 5);
	return header[4];
}

static char buffer[CHUNK + 256];

/* Reads and drops the rest of a request we cannot use. */
static void skip(unsigned long length)
{
	while (length > 0) {
		size_t n = length < CHUNK ? length : CHUNK;
		if (!read_exact(buffer, n))
			return;
		length -= n;
	}
}

static void raw_console(void)
{
	struct termios t;
	if (SC3(SYS_ioctl, 0, TCGETS, &t) != 0)
		return; /* not a terminal: raw already */
	t.c_iflag &= ~(unsigned int)(ICRNL | IXON);
	t.c_oflag &= ~(unsigned int)OPOST;
	t.c_lflag &= ~(unsigned int)(ICANON | ECHO | ISIG);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	SC3(SYS_ioctl, 0, TCSETS, &t);
}

/* ---- run ---------------------------------------------------------------- */

/* In the child: the command, with its own stdin (empty), stdout, stderr. */
static void child(char *line, int out_fd, int err_fd)
{
	long null = SC4(SYS_openat, AT_FDCWD, "/dev/null", O_RDONLY, 0);
	if (null >= 0)
		SC3(SYS_dup3, null, 0, 0);
	SC3(SYS_dup3, out_fd, 1, 0);
	SC3(SYS_dup3, err_fd, 2, 0);
	errors = 0;
	char *argv[MAX_ARGS];
	char copy[1024];
	memcpy(copy, line, strlen(line) + 1);
	/* `run PROG`: the program's own status is the command's. */
	if (split(copy, argv) >= 2 && streq(argv[0], "run")) {
		exec_program(argv + 1);
		SC1(SYS_exit, 127);
	}
	run_command(line);
	SC1(SYS_exit, errors ? 1 : 0);
}

/* Exited: its status; killed by signal N: -N. */
static long exit_status(int status)
{
	return (status & 0x7f) == 0 ? (status >> 8) & 0xff : -(long)(status & 0x7f);
}

static void run_request(unsigned long length)
{
	static char line[1024];
	if (length < 4 || length - 4 >= sizeof line) {
		skip(length);
		send_text('n', "run: the command line is empty or too long");
		return;
	}
	char timeout[4];
	if (!read_exact(timeout, 4) || !read_exact(line, length - 4))
		return;
	line[length - 4] = '\0';
	unsigned long deadline = now_ns() + get_u32(timeout) * 1000000UL;

	int out_pipe[2], err_pipe[2];
	if (SC2(SYS_pipe2, out_pipe, O_CLOEXEC) < 0 || SC2(SYS_pipe2, err_pipe, O_CLOEXEC) < 0) {
		send_text('n', "run: no pipe");
		return;
	}
	long pid = SC5(SYS_clone, SIGCHLD, 0, 0, 0, 0); /* fork() */
	if (pid == 0)
		child(line, out_pipe[1], err_pipe[1]);
	SC1(SYS_close, out_pipe[1]);
	SC1(SYS_close, err_pipe[1]);

	/* Pass its output on as it comes, until both pipes end or time is up. */
	struct pollfd fds[2] = { { out_pipe[0], POLLIN, 0 }, { err_pipe[0], POLLIN, 0 } };
	int open_pipes = 2, timed_out = 0;
	while (open_pipes > 0) {
		unsigned long now = now_ns();
		if (now >= deadline && !timed_out) {
			SC2(SYS_kill, pid, SIGKILL);
			timed_out = 1;
		}
		unsigned long left = timed_out ? 1000000000UL : deadline - now;
		long wait[2] = { (long)(left / 1000000000UL), (long)(left % 1000000000UL) };
		if (SC5(SYS_ppoll, fds, 2, wait, 0, 0) < 0)
			continue;
		for (int i = 0; i < 2; i++) {
			if (fds[i].fd < 0 || !fds[i].revents)
				continue;
			long n = SC3(SYS_read, fds[i].fd, buffer, CHUNK);
			if (n > 0) {
				send(i == 0 ? 'o' : 'e', buffer, (size_t)n);
			} else if (n != -4 /* EINTR */) {
				SC1(SYS_close, fds[i].fd);
				fds[i].fd = -1; /* ppoll skips it */
				open_pipes--;
			}
		}
	}
	int status = 0;
	while (SC4(SYS_wait4, pid, &status, 0, 0) == -4 /* EINTR */)
		;
	if (timed_out) {
		send('t', 0, 0);
		return;
	}
	char code[4];
	put_u32(code, (unsigned long)exit_status(status));
	send('x', code, 4);
}

/* ---- files ---------------------------------------------------------------- */

static void write_request(unsigned long length)
{
	char size[2];
	static char path[256];
	if (length < 2 || !read_exact(size, 2))
		return;
	unsigned long path_length = (unsigned char)size[0] | (unsigned long)(unsigned char)size[1] << 8;
	if (path_length == 0 || path_length >= sizeof path || path_length > length - 2) {
		skip(length - 2);
		send_text('n', "write: a path that is empty or too long");
		return;
	}
	if (!read_exact(path, path_length))
		return;
	path[path_length] = '\0';
	unsigned long left = length - 2 - path_length;
	long fd = SC4(SYS_openat, AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	long failure = fd < 0 ? fd : 0;
	while (left > 0) {
		size_t n = left < CHUNK ? left : CHUNK;
		if (!read_exact(buffer, n))
			return;
		left -= n;
		if (failure == 0) {
			long written = SC3(SYS_write, fd, buffer, n);
			if (written != (long)n)
				failure = written < 0 ? written : -28 /* ENOSPC */;
		}
	}
	if (fd >= 0)
		SC1(SYS_close, fd);
	if (failure)
		send_text('n', errno_text(-failure));
	else
		send('k', 0, 0);
}

static void get_request(unsigned long length)
{
	static char path[256];
	if (length == 0 || length >= sizeof path) {
		skip(length);
		send_text('n', "get: a path that is empty or too long");
		return;
	}
	if (!read_exact(path, length))
		return;
	path[length] = '\0';
	long fd = SC4(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0) {
		send_text('n', errno_text(-fd));
		return;
	}
	for (;;) {
		long n = SC3(SYS_read, fd, buffer, CHUNK);
		if (n == -4 /* EINTR */)
			continue;
		if (n < 0) {
			send_text('n', errno_text(-n));
			break;
		}
		if (n == 0) {
			send('k', 0, 0);
			break;
		}
		send('f', buffer, (size_t)n);
	}
	SC1(SYS_close, fd);
}

void agent(void)
{
	raw_console();
	send('R', 0, 0);
	for (;;) {
		unsigned long length = 0;
		char kind = next_frame(&length);
		if (kind == 0)
			return; /* the console ended */
		if (kind == 'r')
			run_request(length);
		else if (kind == 'w')
			write_request(length);
		else if (kind == 'g')
			get_request(length);
		else {
			skip(length);
			send_text('n', "unknown request");
		}
	}
}
