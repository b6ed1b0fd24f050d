// The file-tree walk of `make bench`'s recorder table: N passes of nftw(3)
// over a directory (default /usr/include), without following symlinks:
// a stat of every entry, and openat/getdents64/close of every directory.
// Prints the elapsed ns.
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long entries;

static int visit(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)path, (void)st, (void)type, (void)f;
	entries++;
	return 0;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 10;
	const char *root = argc > 2 ? argv[2] : "/usr/include";
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++)
		if (nftw(root, visit, 32, FTW_PHYS) != 0)
			return 1;
	clock_gettime(CLOCK_MONOTONIC, &b);
	fprintf(stderr, "%ld entries\n", entries);
	printf("%ld\n", (b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec));
	return 0;
}
