// The syscall-heavy workload of `make bench`: N rounds of getppid, a 64-byte
// read from /dev/zero and a 64-byte write to /dev/null (3 syscalls a round).
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	int z = open("/dev/zero", O_RDONLY), w = open("/dev/null", O_WRONLY);
	char buf[64];
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++) {
		getppid();
		if (read(z, buf, sizeof(buf)) < 0 || write(w, buf, sizeof(buf)) < 0)
			return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%ld\n", (b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec));
	return 0;
}
