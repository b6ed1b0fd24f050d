// Floods to blind a tracer, as an attacker would.
//   flood openclose SECONDS   open and close /dev/null as fast as it can
//   flood mprotect SECONDS    mprotect a page to PROT_READ|PROT_EXEC and back
//                             as fast as it can (events a TRC-4 policy passes)
//   flood exec SECONDS        execute itself again and again, in the same
//                             process, as fast as it can (process starts,
//                             events every policy with a signature passes)
// Prints pid=<pid> first, and rounds=<n> at the end.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One more exec of itself, until the monotonic clock passes end. */
static int exec_again(double end, long rounds)
{
	if (now() >= end) {
		printf("rounds=%ld\n", rounds);
		return 0;
	}
	char e[32], r[32];
	snprintf(e, sizeof(e), "%.6f", end);
	snprintf(r, sizeof(r), "%ld", rounds + 1);
	execl("/proc/self/exe", "flood", "exec-until", e, r, (char *)NULL);
	perror("exec");
	return 1;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "openclose";
	if (strcmp(mode, "exec-until") == 0 && argc > 3)
		return exec_again(atof(argv[2]), atol(argv[3]));
	double secs = argc > 2 ? atof(argv[2]) : 5;
	printf("pid=%d\n", getpid());
	fflush(stdout);
	double end = now() + secs;
	if (strcmp(mode, "exec") == 0)
		return exec_again(end, 0);
	long rounds = 0;
	void *page = NULL;
	if (strcmp(mode, "mprotect") == 0) {
		page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (page == MAP_FAILED)
			return perror("mmap"), 1;
	}
	while (now() < end) {
		for (int i = 0; i < 1000; i++, rounds++) {
			if (page) {
				mprotect(page, 4096, PROT_READ | PROT_EXEC);
				mprotect(page, 4096, PROT_READ);
			} else {
				int fd = open("/dev/null", O_RDONLY);
				close(fd);
			}
		}
	}
	printf("rounds=%ld\n", rounds);
	return 0;
}
