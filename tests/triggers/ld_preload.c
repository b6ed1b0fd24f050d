// TRC-7: dynamic-linker hijacking, harmlessly.
//   ld_preload env-middle       execve /bin/true with LD_PRELOAD=/nonexistent.so
//                               in the middle of the environment
//   ld_preload env-last         the same, LD_PRELOAD last
//   ld_preload ld-library-path  LD_LIBRARY_PATH=/nonexistent instead
//   ld_preload preload-file     open /etc/ld.so.preload for writing and close
//                               it without writing a byte; a file created
//                               for this (it did not exist) is removed again
//   ld_preload preload-write TEXT  in a private mount namespace with a tmpfs
//                               over /etc (the host's /etc is never touched),
//                               write TEXT to /etc/ld.so.preload and exit
// The exec modes replace the trigger (same pid) with /bin/true; the loader
// warns that it cannot preload the missing object and runs it anyway.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define PRELOAD_FILE "/etc/ld.so.preload"

static int preload_file(void)
{
	struct stat st;
	int existed = stat(PRELOAD_FILE, &st) == 0;
	if (!existed && errno != ENOENT)
		return perror("stat " PRELOAD_FILE), 1;
	int fd = open(PRELOAD_FILE, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd < 0)
		return perror("open " PRELOAD_FILE), 1;
	close(fd);
	if (!existed && unlink(PRELOAD_FILE) < 0)
		return perror("unlink " PRELOAD_FILE), 1;
	printf("existed=%d\n", existed);
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
		return preload_file();
	if (strcmp(mode, "preload-write") == 0)
		return argc > 2 ? preload_write(argv[2]) : (fprintf(stderr, "preload-write TEXT\n"), 2);

	char *middle[] = {"PATH=/usr/bin:/bin", "LD_PRELOAD=/nonexistent.so", "HOME=/", NULL};
	char *last[] = {"PATH=/usr/bin:/bin", "HOME=/", "LD_PRELOAD=/nonexistent.so", NULL};
	char *libpath[] = {"PATH=/usr/bin:/bin", "LD_LIBRARY_PATH=/nonexistent", "HOME=/", NULL};
	char **env;
	if (strcmp(mode, "env-middle") == 0)
		env = middle;
	else if (strcmp(mode, "env-last") == 0)
		env = last;
	else if (strcmp(mode, "ld-library-path") == 0)
		env = libpath;
	else
		return fprintf(stderr, "unknown mode %s\n", mode), 2;
	char *args[] = {"true", NULL};
	execve("/bin/true", args, env);
	perror("execve");
	return 1;
}
