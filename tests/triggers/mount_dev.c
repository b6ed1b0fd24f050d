// Mount attempts, for security_sb_mount and TRC-1014 (a device mounted from
// a container). In a private mount namespace (nothing outside sees it):
//   mount tmpfs on DIR (succeeds), then
//   mount DEVICE on DIR as ext4 (default /dev/tracee-trigger-none: fails
//   with ENOENT; the attempt is what is reported), then
//   with FSDEVICE, the new mount API: fsopen tmpfs, fsconfig source FSDEVICE,
//   fsmount (succeeds: a detached mount usable through its fd, which
//   security_sb_mount never sees; security_fsmount does).
// Usage: mount_dev [DIR [DEVICE [FSDEVICE]]]; prints pid and each result.
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/mnt";
	const char *dev = argc > 2 ? argv[2] : "/dev/tracee-trigger-none";
	printf("pid=%d\n", getpid());
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		fprintf(stderr, "private mount namespace: %s\n", strerror(errno));
		return 1;
	}
	mkdir(dir, 0755);
	int r = mount("tmpfs", dir, "tmpfs", MS_NOSUID, "size=1m");
	printf("tmpfs=%d errno=%d\n", r, r ? errno : 0);
	r = mount(dev, dir, "ext4", MS_RDONLY, NULL);
	printf("device=%d errno=%d\n", r, r ? errno : 0);
	if (argc > 3) {
		/* raw numbers: the same on i386 and x86_64 (430-432) */
		int fs = syscall(430 /* fsopen */, "tmpfs", 0);
		if (fs < 0 || syscall(431 /* fsconfig */, fs, 1 /* SET_STRING */, "source", argv[3], 0) < 0 ||
		    syscall(431, fs, 6 /* CMD_CREATE */, NULL, NULL, 0) < 0) {
			fprintf(stderr, "fsopen/fsconfig: %s\n", strerror(errno));
			return 1;
		}
		int m = syscall(432 /* fsmount */, fs, 0, 0);
		printf("fsmount=%d errno=%d\n", m, m < 0 ? errno : 0);
	}
	return 0;
}
