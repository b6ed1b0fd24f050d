// Floods to blind a tracer, as an attacker would.
//   flood openclose SECONDS   open and close /dev/null as fast as it can
//   flood mprotect SECONDS    mprotect a page to PROT_READ|PROT_EXEC and back
//                             as fast as it can (events a TRC-4 policy passes)
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

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "openclose";
	double secs = argc > 2 ? atof(argv[2]) : 5;
	printf("pid=%d\n", getpid());
	fflush(stdout);
	double end = now() + secs;
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
