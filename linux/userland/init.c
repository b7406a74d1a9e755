/*
 * init.c - the guest's whole userland: a tiny interactive shell that runs
 * as /init (PID 1) from the initramfs built into the kernel Image: its
 * builtins are in commands.c, its agent mode (a program drives it instead
 * of a person) in agent.c, and what a C library would give it in lib.c.
 */
#include "agent.h"
#include "commands.h"
#include "lib.h"
#include "sys.h"

/* Make sure fds 0, 1 and 2 are the console.  The kernel normally opens
 * /dev/console for PID 1 already (the initramfs has that node); this is
 * the fallback for when it could not. */
static void setup_console(void)
{
	if (SC2(SYS_fcntl, 0, F_GETFD) >= 0)
		return;
	long fd = SC4(SYS_openat, AT_FDCWD, "/dev/console", O_RDWR, 0);
	if (fd < 0)
		return; /* nowhere to print to */
	for (long want = 0; want < 3; want++)
		if (fd != want)
			SC3(SYS_dup3, fd, want, 0);
	if (fd > 2)
		SC1(SYS_close, fd);
}

/* A disk (beyond/virtio-blk) holding ext2 is mounted at /mnt; without
 * a disk there is nothing to say. */
static void mount_disk(void)
{
	long fd = SC4(SYS_openat, AT_FDCWD, "/dev/vda", O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return;
	SC1(SYS_close, fd);
	SC3(SYS_mkdirat, AT_FDCWD, "/mnt", 0755);
	long r = SC5(SYS_mount, "/dev/vda", "/mnt", "ext2", 0, 0);
	if (r < 0)
		report("init", "/dev/vda is not an ext2 disk, /mnt stays empty", r);
	else
		out("init: the disk /dev/vda is mounted at /mnt\n");
}

/* Is `word` one of the kernel command line's words? */
static int on_command_line(const char *word)
{
	static char text[1024];
	long fd = SC4(SYS_openat, AT_FDCWD, "/proc/cmdline", O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	long n = SC3(SYS_read, fd, text, sizeof text - 1);
	SC1(SYS_close, fd);
	if (n <= 0)
		return 0;
	text[n] = '\0';
	char *argv[MAX_ARGS];
	int argc = split(text, argv);
	for (int i = 0; i < argc; i++) {
		size_t len = strlen(argv[i]);
		if (len > 0 && argv[i][len - 1] == '\n')
			argv[i][len - 1] = '\0';
		if (streq(argv[i], word))
			return 1;
	}
	return 0;
}

static char line[1024];

static void shell(void)
{
	for (;;) {
		out("guest$ ");
		int too_long;
		long n = read_line(line, sizeof line, &too_long);
		if (n < 0) {
			/* End of input (Ctrl-D, or a broken stdin): leave like
			 * a shell does. */
			out("exit\n");
			return;
		}
		if (too_long)
			err("sh: line too long\n");
		else
			run_command(line);
	}
}

static void init_run(void)
{
	/* Pseudo file systems.  /proc and /dev exist in the initramfs; mkdir
	 * just in case (EEXIST is fine).  devtmpfs is optional. */
	SC3(SYS_mkdirat, AT_FDCWD, "/proc", 0555);
	SC3(SYS_mkdirat, AT_FDCWD, "/dev", 0755);
	SC3(SYS_mkdirat, AT_FDCWD, "/sys", 0555);
	setup_console();
	long r = SC5(SYS_mount, "proc", "/proc", "proc", 0, 0);
	if (r < 0)
		report("init", "mount /proc", r);
	SC5(SYS_mount, "devtmpfs", "/dev", "devtmpfs", 0, 0);
	SC5(SYS_mount, "sysfs", "/sys", "sysfs", 0, 0);
	mount_disk();

	if (on_command_line("agent")) {
		agent();
	} else {
		out("Welcome to the guest userland. Type 'help' for commands.\n");
		shell();
	}

	cmd_poweroff();
	/* PID 1 must never exit (the kernel would panic): halt instead. */
	SC4(SYS_reboot, REBOOT_MAGIC1, REBOOT_MAGIC2, REBOOT_CMD_HALT, 0);
	idle_forever();
}

/* Entry point.  The kernel starts us with sp pointing at argc; there is no
 * C runtime, so set up the global pointer (the linker relaxes accesses to
 * small data relative to it) and call main. */
__asm__(".section .text._start\n"
	".global _start\n"
	"_start:\n"
	"  .option push\n"
	"  .option norelax\n"
	"  lla gp, __global_pointer$\n"
	"  .option pop\n"
	"  andi sp, sp, -16\n"
	"  call init_main\n"
	"1: j 1b\n");

void init_main(void)
{
	init_run();
	for (;;)
		SC1(SYS_exit, 0);
}
