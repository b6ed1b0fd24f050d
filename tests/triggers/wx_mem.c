// TRC-4: memory that is writable and executable.
//   wx_mem mmap       anonymous mmap with PROT_WRITE|PROT_EXEC
//   wx_mem mprotect   mmap RW, then mprotect to RWX
//   wx_mem wx-to-x    mmap RWX, then mprotect to R-X
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "mmap";
	size_t len = 4096;
	void *p;
	if (strcmp(mode, "mprotect") == 0) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		mprotect(p, len, PROT_READ | PROT_WRITE | PROT_EXEC);
	} else {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (strcmp(mode, "wx-to-x") == 0) {
			memset(p, 0xc3, 16); /* ret */
			mprotect(p, len, PROT_READ | PROT_EXEC);
		}
	}
	printf("pid=%d mode=%s addr=%p\n", getpid(), mode, p);
	return p == MAP_FAILED;
}
