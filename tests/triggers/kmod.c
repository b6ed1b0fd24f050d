// TRC-6: attempts to load a kernel module with init_module and finit_module.
// Both fail here (no image; a kernel without module support returns ENOSYS),
// but the attempts are what the signature reports.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *which = argc > 1 ? argv[1] : "both";
	if (strcmp(which, "finit") != 0) {
		static char image[64] = "\x7f" "ELF not-a-module";
		long r = syscall(SYS_init_module, image, sizeof(image), "");
		printf("pid=%d init_module=%ld errno=%d\n", getpid(), r, r ? errno : 0);
	}
	if (strcmp(which, "init") != 0) {
		int fd = open(argc > 2 ? argv[2] : "/dev/null", O_RDONLY);
		long r = syscall(SYS_finit_module, fd, "", 0);
		printf("pid=%d finit_module=%ld errno=%d\n", getpid(), r, r ? errno : 0);
		close(fd);
	}
	return 0;
}
