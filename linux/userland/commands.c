/*
 * commands.c - the shell's builtins, one function each, and the line
 * that runs one.
 */
#include "commands.h"

#include "lib.h"
#include "sys.h"


static void cmd_help(void)
{
	out("help            show this list of commands\n"
	    "echo [ARG...]   print the arguments, separated by one space\n"
	    "uname [-a]      print the kernel name (-a: all system information)\n"
	    "cat FILE...     print the contents of files\n"
	    "ls [DIR]        list a directory, one name per line\n"
	    "write FILE TEXT write TEXT and a newline to FILE\n"
	    "run PROG [ARG]  run a program (from /bin), print its exit status\n"
	    "sleep MS        sleep for MS milliseconds\n"
	    "readlines END   read lines up to one that is END, count them\n"
	    "getpid N        time N getpid system calls\n"
	    "readall FILE    read FILE to its end, print how fast\n"
	    "print N [raw]   print N bytes of text (raw: the terminal adds no \\r)\n"
	    "cpus            list the online CPUs\n"
	    "burn MS         keep every CPU busy for about MS ms at once\n"
	    "spin            loop forever, never reading input\n"
	    "poweroff        sync and power the machine off\n");
}

static void cmd_echo(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (i > 1)
			out(" ");
		out(argv[i]);
	}
	out("\n");
}

/* struct new_utsname: six fields of 65 bytes each. */
struct utsname {
	char sysname[65];
	char nodename[65];
	char release[65];
	char version[65];
	char machine[65];
	char domainname[65];
};

static void cmd_uname(int argc, char **argv)
{
	struct utsname u;
	long r = SC1(SYS_uname, &u);
	if (r < 0) {
		report("uname", "uname", r);
		return;
	}
	if (argc >= 2 && streq(argv[1], "-a")) {
		out(u.sysname);
		out(" ");
		out(u.nodename);
		out(" ");
		out(u.release);
		out(" ");
		out(u.version);
		out(" ");
		out(u.machine);
		out("\n");
	} else if (argc >= 2) {
		err("uname: only '-a' is supported\n");
	} else {
		out(u.sysname);
		out("\n");
	}
}

static char io_buf[4096];

static void cmd_cat(int argc, char **argv)
{
	if (argc < 2) {
		err("cat: missing file operand\n");
		return;
	}
	for (int i = 1; i < argc; i++) {
		long fd = SC4(SYS_openat, AT_FDCWD, argv[i], O_RDONLY | O_CLOEXEC, 0);
		if (fd < 0) {
			report("cat", argv[i], fd);
			continue;
		}
		for (;;) {
			long n = SC3(SYS_read, fd, io_buf, sizeof io_buf);
			if (n == -4 /* EINTR */)
				continue;
			if (n < 0)
				report("cat", argv[i], n);
			if (n <= 0)
				break;
			write_all(1, io_buf, (size_t)n);
		}
		SC1(SYS_close, fd);
	}
}

/* Layout of one record returned by getdents64. */
struct dirent64 {
	unsigned long d_ino;
	long d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* Room for the names of one directory, stored back to back. */
static char names[32768];
static char *name_ptrs[2048];

static void list_dir(const char *dir)
{
	long fd = SC4(SYS_openat, AT_FDCWD, dir,
		      O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd == -20 /* ENOTDIR: a plain file is listed by its own name */) {
		out(dir);
		out("\n");
		return;
	}
	if (fd < 0) {
		report("ls", dir, fd);
		return;
	}

	size_t used = 0;
	int count = 0;
	int truncated = 0;
	for (;;) {
		long n = SC3(SYS_getdents64, fd, io_buf, sizeof io_buf);
		if (n < 0) {
			report("ls", dir, n);
			break;
		}
		if (n == 0)
			break;
		for (long off = 0; off < n;) {
			struct dirent64 *d = (struct dirent64 *)(io_buf + off);
			off += d->d_reclen;
			if (d->d_name[0] == '.')
				continue; /* like ls: hide ".", ".." and dotfiles */
			size_t len = strlen(d->d_name) + 1;
			if (used + len > sizeof names ||
			    count == (int)(sizeof name_ptrs / sizeof name_ptrs[0])) {
				truncated = 1;
				continue;
			}
			name_ptrs[count++] = memcpy(names + used, d->d_name, len);
			used += len;
		}
	}
	SC1(SYS_close, fd);

	/* Sort the names (insertion sort is plenty for a few hundred). */
	for (int i = 1; i < count; i++) {
		char *key = name_ptrs[i];
		int j = i - 1;
		while (j >= 0 && strcmp_(name_ptrs[j], key) > 0) {
			name_ptrs[j + 1] = name_ptrs[j];
			j--;
		}
		name_ptrs[j + 1] = key;
	}
	for (int i = 0; i < count; i++) {
		out(name_ptrs[i]);
		out("\n");
	}
	if (truncated)
		err("ls: too many entries, list truncated\n");
}

static void cmd_ls(int argc, char **argv)
{
	if (argc < 2) {
		list_dir(".");
		return;
	}
	for (int i = 1; i < argc; i++) {
		if (argc > 2) {
			if (i > 1)
				out("\n");
			out(argv[i]);
			out(":\n");
		}
		list_dir(argv[i]);
	}
}

static void cmd_write(int argc, char **argv)
{
	if (argc < 2) {
		err("usage: write FILE [TEXT...]\n");
		return;
	}
	long fd = SC4(SYS_openat, AT_FDCWD, argv[1],
		      O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		report("write", argv[1], fd);
		return;
	}
	for (int i = 2; i < argc; i++) {
		if (i > 2)
			write_all(fd, " ", 1);
		write_all(fd, argv[i], strlen(argv[i]));
	}
	write_all(fd, "\n", 1);
	SC1(SYS_close, fd);
}

/* Become the program argv[0] (from /bin, unless the name has a slash),
 * with an empty environment, so that it sees the same world here as under
 * beyond/'s system-call emulation. Returns only if it cannot. */
void exec_program(char **argv)
{
	static char path[256];
	const char *prefix = "/bin/";
	int has_slash = 0;
	for (const char *p = argv[0]; *p; p++)
		has_slash |= *p == '/';
	size_t used = 0;
	if (!has_slash)
		for (; prefix[used]; used++)
			path[used] = prefix[used];
	size_t len = strlen(argv[0]);
	if (used + len >= sizeof path) {
		err("run: name too long\n");
		return;
	}
	memcpy(path + used, argv[0], len + 1);
	static char *const no_environment[] = { 0 };
	long r = SC3(SYS_execve, path, argv, no_environment);
	report("run", path, r);
}

/* fork + execve + wait, as a shell does. */
static void cmd_run(int argc, char **argv)
{
	if (argc < 2) {
		err("usage: run PROG [ARG...]\n");
		return;
	}
	long pid = SC5(SYS_clone, SIGCHLD, 0, 0, 0, 0); /* fork() */
	if (pid == 0) {
		exec_program(argv + 1);
		SC1(SYS_exit, 127);
	}
	if (pid < 0) {
		report("run", "fork", pid);
		return;
	}
	int status = 0;
	long r;
	do
		r = SC4(SYS_wait4, pid, &status, 0, 0);
	while (r == -4 /* EINTR */);
	if (r < 0) {
		report("run", "wait", r);
	} else if ((status & 0x7f) == 0) {
		out("exit status ");
		out_number((unsigned long)(status >> 8) & 0xff);
		out("\n");
	} else {
		out("killed by signal ");
		out_number((unsigned long)status & 0x7f);
		out("\n");
	}
}

static void cmd_sleep(int argc, char **argv)
{
	unsigned long ms;
	if (argc != 2 || !parse_number(argv[1], &ms)) {
		err("usage: sleep MILLISECONDS\n");
		return;
	}
	long ts[2] = { (long)(ms / 1000), (long)(ms % 1000) * 1000000 };
	while (SC2(SYS_nanosleep, ts, ts) == -4 /* EINTR: ts holds the rest */)
		;
}

/* For the input tests: how many lines arrived before the END line, and
 * how many bytes they held.  Nothing typed may go missing.  The terminal
 * does not echo them meanwhile (as `read -s`), so that the answer is not
 * mixed with the echo of what is still arriving. */
static char other_line[1024];

static void cmd_readlines(int argc, char **argv)
{
	if (argc != 2) {
		err("usage: readlines END\n");
		return;
	}
	struct termios saved, quiet;
	int terminal = SC3(SYS_ioctl, 0, TCGETS, &saved) == 0;
	if (terminal) {
		quiet = saved;
		quiet.c_lflag &= ~(unsigned int)ECHO;
		SC3(SYS_ioctl, 0, TCSETS, &quiet);
	}
	out("readlines: reading up to ");  /* from here on, nothing is echoed */
	out(argv[1]);
	out("\n");
	unsigned long lines = 0, bytes = 0;
	for (;;) {
		int too_long;
		long n = read_line(other_line, sizeof other_line, &too_long);
		if (n < 0 || streq(other_line, argv[1]))
			break;
		lines++;
		bytes += (unsigned long)n;
	}
	if (terminal)
		SC3(SYS_ioctl, 0, TCSETS, &saved);
	out("readlines: ");
	out_number(lines);
	out(" lines, ");
	out_number(bytes);
	out(" bytes\n");
}

/* The cost of a system call that stays inside the guest: getpid does
 * (almost) nothing but enter the kernel and come back. */
static void cmd_getpid(int argc, char **argv)
{
	unsigned long calls;
	if (argc != 2 || !parse_number(argv[1], &calls) || calls == 0) {
		err("usage: getpid CALLS\n");
		return;
	}
	unsigned long start = now_ns();
	for (unsigned long i = 0; i < calls; i++)
		SC0(SYS_getpid);
	unsigned long elapsed = now_ns() - start;
	out("getpid: ");
	out_number(calls);
	out(" calls, ");
	out_number(elapsed / calls);
	out(" ns each\n");
}

/* The first read of a file on a disk: how fast the guest's block device
 * delivers it (the data is read and thrown away). */
static char big_buf[65536];

static void cmd_readall(int argc, char **argv)
{
	if (argc != 2) {
		err("usage: readall FILE\n");
		return;
	}
	long fd = SC4(SYS_openat, AT_FDCWD, argv[1], O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0) {
		report("readall", argv[1], fd);
		return;
	}
	unsigned long bytes = 0, start = now_ns();
	for (;;) {
		long n = SC3(SYS_read, fd, big_buf, sizeof big_buf);
		if (n == -4 /* EINTR */)
			continue;
		if (n < 0)
			report("readall", argv[1], n);
		if (n <= 0)
			break;
		bytes += (unsigned long)n;
	}
	unsigned long us = (now_ns() - start) / 1000 + 1;
	SC1(SYS_close, fd);
	out("readall: ");
	out_number(bytes);
	out(" bytes in ");
	out_number(us);
	out(" us, ");
	out_number(bytes / us); /* bytes per microsecond = MB/s */
	out(" MB/s\n");
}

/* Bulk output from one program: BYTES bytes of text, lines of 64, written
 * 4 KiB at a time, as a program printing a report would. The terminal
 * turns each "\n" into "\r\n" and passes the line on before it, in two
 * writes; `raw` turns that off, as a full-screen program does. */
static void cmd_print(int argc, char **argv)
{
	unsigned long bytes;
	if (argc < 2 || argc > 3 || !parse_number(argv[1], &bytes) ||
	    (argc == 3 && !streq(argv[2], "raw"))) {
		err("usage: print BYTES [raw]\n");
		return;
	}
	struct termios saved, raw;
	int terminal = argc == 3 && SC3(SYS_ioctl, 1, TCGETS, &saved) == 0;
	if (terminal) {
		raw = saved;
		raw.c_oflag &= ~(unsigned int)OPOST;
		SC3(SYS_ioctl, 1, TCSETS, &raw);
	}
	for (size_t i = 0; i < sizeof big_buf; i++)
		big_buf[i] = i % 64 == 63 ? '\n' : (char)('a' + i % 26);
	while (bytes > 0) {
		size_t n = bytes < 4096 ? bytes : 4096;
		write_all(1, big_buf, n);
		bytes -= n;
	}
	if (terminal)
		SC3(SYS_ioctl, 1, TCSETS, &saved);
}

/* ---- Several CPUs ------------------------------------------------------- */

/* The online CPUs, as a bit mask: those the kernel lets us run on. */
static unsigned long online_cpus(void)
{
	unsigned long mask = 0;
	if (SC3(SYS_sched_getaffinity, 0, sizeof mask, &mask) < 0)
		return 1;
	return mask;
}

static int current_cpu(void)
{
	unsigned int cpu = 0;
	SC3(SYS_getcpu, &cpu, 0, 0);
	return (int)cpu;
}

/* Runs on each CPU in turn (pinned there) and says so. */
static void cmd_cpus(void)
{
	unsigned long online = online_cpus();
	for (int cpu = 0; cpu < 64; cpu++) {
		unsigned long one = 1UL << cpu;
		if (!(online & one))
			continue;
		SC3(SYS_sched_setaffinity, 0, sizeof one, &one);
		out("cpu ");
		out_number((unsigned long)current_cpu());
		out(": online\n");
	}
	SC3(SYS_sched_setaffinity, 0, sizeof online, &online);
}

/* Busy work: a loop the compiler may not remove. */
static void busy(unsigned long iterations)
{
	for (unsigned long i = 0; i < iterations; i++)
		__asm__ volatile("" ::: "memory");
}

static void out_line_of_numbers(const char *a, unsigned long x, const char *b,
				unsigned long y, const char *c, unsigned long z,
				const char *d)
{
	/* One write, so that lines from several CPUs do not mix. */
	static char text[160];
	size_t used = 0;
	const char *parts[4] = { a, b, c, d };
	unsigned long numbers[3] = { x, y, z };
	for (int i = 0; i < 4; i++) {
		for (const char *p = parts[i]; *p && used < sizeof text - 24; p++)
			text[used++] = *p;
		if (i == 3)
			break;
		char digits[24];
		int n = 0;
		do {
			digits[n++] = (char)('0' + numbers[i] % 10);
			numbers[i] /= 10;
		} while (numbers[i] != 0);
		while (n > 0)
			text[used++] = digits[--n];
	}
	write_all(1, text, used);
}

/* The same amount of work on every online CPU at once, each child pinned
 * to its own: MS milliseconds of work as timed on one CPU alone. Each
 * child says when it was busy (in us since the start), so that a reader
 * sees the intervals overlap; with more CPUs than the host has cores,
 * the wall time grows. */
static void cmd_burn(int argc, char **argv)
{
	unsigned long ms;
	if (argc != 2 || !parse_number(argv[1], &ms) || ms == 0 || ms > 60000) {
		err("usage: burn MS (1 to 60000)\n");
		return;
	}
	/* Calibrate: how many iterations make a millisecond here, alone. */
	unsigned long iterations = 1UL << 16, start, took;
	for (;;) {
		start = now_ns();
		busy(iterations);
		took = now_ns() - start;
		if (took >= 20000000UL) /* 20 ms: long enough to time */
			break;
		iterations *= 2;
	}
	unsigned long per_ms = iterations * 1000000UL / took;
	unsigned long online = online_cpus();
	start = now_ns();
	int children = 0;
	for (int cpu = 0; cpu < 64; cpu++) {
		unsigned long one = 1UL << cpu;
		if (!(online & one))
			continue;
		long pid = SC5(SYS_clone, SIGCHLD, 0, 0, 0, 0); /* fork() */
		if (pid == 0) {
			SC3(SYS_sched_setaffinity, 0, sizeof one, &one);
			unsigned long begin = now_ns();
			busy(per_ms * ms);
			unsigned long end = now_ns();
			out_line_of_numbers("burn: cpu ", (unsigned long)current_cpu(),
					    " busy from ", (begin - start) / 1000,
					    " to ", (end - start) / 1000, " us\n");
			SC1(SYS_exit, 0);
		}
		if (pid < 0)
			report("burn", "fork", pid);
		else
			children++;
	}
	for (int i = 0; i < children; i++) {
		int status;
		while (SC4(SYS_wait4, -1, &status, 0, 0) == -4 /* EINTR */)
			;
	}
	out_line_of_numbers("burn: ", (unsigned long)children, " cpus, ",
			    (now_ns() - start) / 1000000, " ms wall, ", ms,
			    " ms of work each\n");
}

/* A guest that is busy for ever and never reads its input: what a
 * snapshot restore must still be able to stop. */
static void cmd_spin(void)
{
	out("spin: spinning\n");
	for (;;)
		__asm__ volatile("" ::: "memory");
}

void idle_forever(void)
{
	for (;;) {
		long ts[2] = { 3600, 0 };
		SC2(SYS_nanosleep, ts, 0);
	}
}

void cmd_poweroff(void)
{
	SC0(SYS_sync);
	long r = SC4(SYS_reboot, REBOOT_MAGIC1, REBOOT_MAGIC2,
		     REBOOT_CMD_POWER_OFF, 0);
	/* Only reached if the kernel refused. */
	report("poweroff", "reboot", r);
}

/* ---- Running a command line ------------------------------------------ */

int split(char *line, char **argv)
{
	int argc = 0;
	char *p = line;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || argc == MAX_ARGS - 1)
			break;
		argv[argc++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = '\0';
	}
	argv[argc] = 0;
	return argc;
}

void run_command(char *line)
{
	char *argv[MAX_ARGS];
	int argc = split(line, argv);
	if (argc == 0)
		return;
	const char *cmd = argv[0];
	if (streq(cmd, "help"))
		cmd_help();
	else if (streq(cmd, "echo"))
		cmd_echo(argc, argv);
	else if (streq(cmd, "uname"))
		cmd_uname(argc, argv);
	else if (streq(cmd, "cat"))
		cmd_cat(argc, argv);
	else if (streq(cmd, "ls"))
		cmd_ls(argc, argv);
	else if (streq(cmd, "write"))
		cmd_write(argc, argv);
	else if (streq(cmd, "run"))
		cmd_run(argc, argv);
	else if (streq(cmd, "sleep"))
		cmd_sleep(argc, argv);
	else if (streq(cmd, "readlines"))
		cmd_readlines(argc, argv);
	else if (streq(cmd, "getpid"))
		cmd_getpid(argc, argv);
	else if (streq(cmd, "readall"))
		cmd_readall(argc, argv);
	else if (streq(cmd, "print"))
		cmd_print(argc, argv);
	else if (streq(cmd, "cpus"))
		cmd_cpus();
	else if (streq(cmd, "burn"))
		cmd_burn(argc, argv);
	else if (streq(cmd, "spin"))
		cmd_spin();
	else if (streq(cmd, "poweroff"))
		cmd_poweroff();
	else {
		err("sh: ");
		err(cmd);
		err(": unknown command (try 'help')\n");
	}
}
