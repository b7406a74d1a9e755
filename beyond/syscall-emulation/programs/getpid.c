/* getpid: times N getpid system calls, the cheapest there is, and prints
 * the time each took, as the guest shell's `getpid N` does. Under Linux a
 * system call stays inside the guest; with no guest kernel, each one is a
 * VM exit. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long calls = argc == 2 ? atol(argv[1]) : 0;
	if (calls <= 0) {
		fprintf(stderr, "usage: getpid CALLS\n");
		return 2;
	}
	struct timespec start, end;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (long i = 0; i < calls; i++)
		syscall(SYS_getpid);
	clock_gettime(CLOCK_MONOTONIC, &end);
	long long ns = (end.tv_sec - start.tv_sec) * 1000000000LL + (end.tv_nsec - start.tv_nsec);
	printf("getpid: %ld calls, %lld ns each\n", calls, ns / calls);
	return 0;
}
