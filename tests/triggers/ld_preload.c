// TRC-7: dynamic-linker hijacking, harmlessly.
//   ld_preload env-middle       execve /bin/true with LD_PRELOAD=/nonexistent.so
//                               in the middle of the environment
//   ld_preload env-last         the same, LD_PRELOAD last
//   ld_preload ld-library-path  LD_LIBRARY_PATH=/nonexistent instead
//   ld_preload preload-file     open /etc/ld.so.preload for writing and close
//                               it without writing a byte; a file created
//                               for this (it did not exist) is removed again;
//                               `preload-file PATH` opens PATH instead (the test's bind mount of /etc)
//   ld_preload audit            LD_AUDIT=/nonexistent-audit.so instead
//   ld_preload env-tail         LD_PRELOAD after 20 KiB of other variables (past the
//                               8 KiB the env argument keeps)
//   ld_preload ldso-preload     run /bin/true through the loader: ld.so --preload /nonexistent.so
//   ld_preload rename|link|symlink  put an empty file (or a dangling symlink) at
//                               /etc/ld.so.preload by renameat (relative to an /etc dirfd,
//                               as sed -i does), link or symlink, and remove it at once;
//                               only when there is no /etc/ld.so.preload (the loader
//                               ignores an empty or dangling one)
//                               for this (it did not exist) is removed again
//   ld_preload preload-write TEXT  in a private mount namespace with a tmpfs
//                               over /etc (the host's /etc is never touched),
//                               write TEXT to /etc/ld.so.preload and exit
//   ld_preload standin-rename|standin-link|standin-symlink [NAME]  only where /etc is the
//                               test's stand-in (a tmpfs holding .tracee-e2e-standin:
//                               the tracer's private mount namespace, entered with
//                               nsenter; anywhere else it refuses): in a mount namespace
//                               of its own, bind-mounts /etc on a directory in /tmp and
//                               puts NAME (relative to /etc, default ld.so.preload) there
//                               by a rename of absolute paths through the bind mount, a
//                               hard link relative to a dirfd of the bind mount, or a
//                               symlink spelt DIR/../NAME relative to that dirfd; removes
//                               it at once; standin-via-symlink: a rename through a symlink
//                               /tmp/etc-link-PID -> ../etc instead
// The exec modes replace the trigger (same pid) with /bin/true; the loader
// warns that it cannot preload the missing object and runs it anyway.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#define TMPFS_MAGIC 0x01021994

#define PRELOAD_FILE "/etc/ld.so.preload"

static int preload_file(const char *file)
{
	struct stat st;
	int existed = stat(file, &st) == 0;
	if (!existed && errno != ENOENT)
		return perror(file), 1;
	int fd = open(file, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd < 0)
		return perror(file), 1;
	close(fd);
	if (!existed && unlink(file) < 0)
		return perror(file), 1;
	printf("existed=%d\n", existed);
	return 0;
}

static int replace_file(const char *mode)
{
	struct stat st;
	if (lstat(PRELOAD_FILE, &st) == 0)
		return fprintf(stderr, "%s exists: not touching it\n", PRELOAD_FILE), 1;
	char tmp[64];
	snprintf(tmp, sizeof(tmp), "ld.so.preload.e2e-%d", getpid());
	int etc = open("/etc", O_RDONLY | O_DIRECTORY);
	if (etc < 0)
		return perror("/etc"), 1;
	int r;
	if (strcmp(mode, "symlink") == 0) {
		r = symlink("/nonexistent-ld.so.preload", PRELOAD_FILE);
	} else {
		int fd = openat(etc, tmp, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0)
			return perror(tmp), 1;
		close(fd);
		if (strcmp(mode, "rename") == 0) {
			r = renameat(etc, tmp, etc, "ld.so.preload");
		} else {
			r = linkat(etc, tmp, AT_FDCWD, PRELOAD_FILE, 0);
			unlinkat(etc, tmp, 0);
		}
	}
	if (r < 0)
		return perror(mode), 1;
	if (unlink(PRELOAD_FILE) < 0)
		return perror("unlink " PRELOAD_FILE), 1;
	printf("%s=0\n", mode);
	return 0;
}

/* /etc/ld.so.preload put in place through a bind mount of the stand-in /etc. */
static int standin_replace(const char *mode, const char *name)
{
	char etcname[128];
	snprintf(etcname, sizeof(etcname), "/etc/%s", name);
	struct statfs sf;
	struct stat st;
	if (statfs("/etc", &sf) < 0 || sf.f_type != TMPFS_MAGIC || stat("/etc/.tracee-e2e-standin", &st) < 0)
		return fprintf(stderr, "/etc is not the test's stand-in: refusing\n"), 2;
	if (lstat(etcname, &st) == 0)
		return fprintf(stderr, "%s exists in the stand-in\n", etcname), 1;
	if (strcmp(mode, "standin-via-symlink") == 0) {
		/* a symlink /tmp/etc-link-PID -> ../etc, the name renamed through it */
		char link[64], from[128], to[128];
		snprintf(link, sizeof(link), "/tmp/etc-link-%d", getpid());
		snprintf(from, sizeof(from), "%s/.e2e-%d", link, getpid());
		snprintf(to, sizeof(to), "%s/%s", link, name);
		if (symlink("../etc", link) < 0)
			return perror(link), 1;
		int f = open(from, O_WRONLY | O_CREAT | O_EXCL, 0644);
		int r = f < 0 ? -1 : rename(from, to);
		int err = errno;
		if (f >= 0)
			close(f);
		unlink(r < 0 ? from : to);
		unlink(link);
		if (r < 0)
			return errno = err, perror(mode), 1;
		printf("%s=0 via=%s\n", mode, to);
		return 0;
	}
	if (unshare(CLONE_NEWNS) < 0)
		return perror("unshare(CLONE_NEWNS)"), 1;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return perror("make / private"), 1;
	char dir[] = "/tmp/etc-bind-XXXXXX";
	if (!mkdtemp(dir))
		return perror("mkdtemp"), 1;
	if (mount("/etc", dir, NULL, MS_BIND, NULL) < 0)
		return perror("bind /etc"), rmdir(dir), 1;
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	char src[64], from[128], to[128];
	snprintf(src, sizeof(src), ".e2e-%d", getpid());
	snprintf(from, sizeof(from), "%s/%s", dir, src);
	snprintf(to, sizeof(to), "%s/%s", dir, name);
	int r = -1;
	if (fd >= 0 && strcmp(mode, "standin-symlink") == 0) {
		char via[128];
		snprintf(via, sizeof(via), "%s/../%s", src, name);
		if (mkdirat(fd, src, 0700) == 0) {
			r = symlinkat("/nonexistent-ld.so.preload", fd, via);
			unlinkat(fd, src, AT_REMOVEDIR);
		}
	} else if (fd >= 0) {
		int f = openat(fd, src, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (f >= 0) {
			close(f);
			if (strcmp(mode, "standin-rename") == 0) {
				r = rename(from, to);
			} else {
				r = linkat(fd, src, fd, name, 0);
				unlinkat(fd, src, 0);
			}
		}
	}
	int err = errno;
	unlinkat(fd, name, 0);
	close(fd);
	if (umount(dir) < 0 || rmdir(dir) < 0)
		perror(dir);
	if (r < 0)
		return errno = err, perror(mode), 1;
	printf("%s=0 via=%s\n", mode, to);
	return 0;
}

static int preload_write(const char *text)
{
	if (unshare(CLONE_NEWNS) < 0)
		return perror("unshare(CLONE_NEWNS)"), 1;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return perror("make / private"), 1;
	if (mount("trigger", "/etc", "tmpfs", 0, "size=64k") < 0)
		return perror("mount tmpfs on /etc"), 1;
	int fd = open(PRELOAD_FILE, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return perror("open " PRELOAD_FILE), 1;
	size_t n = strlen(text);
	if (write(fd, text, n) != (ssize_t)n)
		return perror("write " PRELOAD_FILE), 1;
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "env-middle";
	printf("pid=%d mode=%s\n", getpid(), mode);
	fflush(stdout);
	if (strcmp(mode, "preload-file") == 0)
		return preload_file(argc > 2 ? argv[2] : PRELOAD_FILE);
	if (!strcmp(mode, "rename") || !strcmp(mode, "link") || !strcmp(mode, "symlink"))
		return replace_file(mode);
	if (strncmp(mode, "standin-", 8) == 0)
		return standin_replace(mode, argc > 2 ? argv[2] : "ld.so.preload");
	char *args[] = {"true", NULL};
	if (strcmp(mode, "ldso-preload") == 0) {
		char *ldso[] = {"ld.so", "--preload", "/nonexistent.so", "/bin/true", NULL};
		char *env[] = {"PATH=/usr/bin:/bin", NULL};
		execve("/lib64/ld-linux-x86-64.so.2", ldso, env);
		return perror("execve ld.so"), 1;
	}
	if (strcmp(mode, "env-tail") == 0) {
		static char pad[20][1024];
		char *env[24];
		int n = 0;
		env[n++] = "PATH=/usr/bin:/bin";
		for (int i = 0; i < 20; i++) {
			snprintf(pad[i], sizeof(pad[i]), "PAD%02d=", i);
			memset(pad[i] + 6, 'x', sizeof(pad[i]) - 7);
			env[n++] = pad[i];
		}
		env[n++] = "LD_PRELOAD=/nonexistent-tail.so";
		env[n] = NULL;
		execve("/bin/true", args, env);
		return perror("execve"), 1;
	}
	if (strcmp(mode, "preload-write") == 0)
		return argc > 2 ? preload_write(argv[2]) : (fprintf(stderr, "preload-write TEXT\n"), 2);

	char *middle[] = {"PATH=/usr/bin:/bin", "LD_PRELOAD=/nonexistent.so", "HOME=/", NULL};
	char *last[] = {"PATH=/usr/bin:/bin", "HOME=/", "LD_PRELOAD=/nonexistent.so", NULL};
	char *libpath[] = {"PATH=/usr/bin:/bin", "LD_LIBRARY_PATH=/nonexistent", "HOME=/", NULL};
	char *audit[] = {"PATH=/usr/bin:/bin", "LD_AUDIT=/nonexistent-audit.so", NULL};
	char **env;
	if (strcmp(mode, "env-middle") == 0)
		env = middle;
	else if (strcmp(mode, "env-last") == 0)
		env = last;
	else if (strcmp(mode, "ld-library-path") == 0)
		env = libpath;
	else if (strcmp(mode, "audit") == 0)
		env = audit;
	else
		return fprintf(stderr, "unknown mode %s\n", mode), 2;
	execve("/bin/true", args, env);
	perror("execve");
	return 1;
}
