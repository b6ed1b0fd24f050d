// TRC-5: executes a program that has no file on disk.
//   fileless execveat   memfd + execveat(fd, "", AT_EMPTY_PATH)
//   fileless proc       memfd + execve("/proc/self/fd/N")
//   fileless shm        copy to /dev/shm and execve it
//   fileless dir DIR    copy into DIR (a tmpfs or ramfs the test mounted, /dev) and execve it
//   fileless script     a shell script in a memfd, run by execveat(fd, "", AT_EMPTY_PATH):
//                       the kernel runs /bin/sh, which reads the script from /dev/fd/N
//   fileless script-link  the same through a symlink DIR-less: /tmp/fileless-link-PID -> /proc/PID/fd/N
//   fileless ldso       a copy of /bin/true in /dev/shm run by the loader:
//                       /lib64/ld-linux-x86-64.so.2 /dev/shm/fileless-ldso-PID (prints child=)
// The payload is a copy of /bin/true (or argv[2], except for dir).
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int copy_into(int dst, const char *src)
{
	int in = open(src, O_RDONLY);
	if (in < 0)
		return -1;
	char buf[65536];
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(dst, buf, n) != n)
			return -1;
	close(in);
	return n < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "execveat";
	const char *payload = argc > 2 ? argv[2] : "/bin/true";
	const char *dir = "/dev/shm";
	if (strcmp(mode, "dir") == 0) {
		if (argc != 3)
			return fprintf(stderr, "usage: fileless dir DIR\n"), 2;
		dir = argv[2], payload = "/bin/true", mode = "shm";
	}
	char *args[] = {"fileless-payload", NULL};
	char *env[] = {"PATH=/usr/bin:/bin", NULL};
	printf("pid=%d mode=%s\n", getpid(), argc > 1 ? argv[1] : mode);
	fflush(stdout);

	if (strcmp(mode, "shm") == 0) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/fileless-%d", dir, getpid());
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
		if (fd < 0 || copy_into(fd, payload) < 0)
			return perror("shm"), 1;
		close(fd);
		pid_t c = fork();
		if (c == 0) {
			execve(path, args, env);
			_exit(127);
		}
		printf("child=%d path=%s\n", c, path);
		int st;
		waitpid(c, &st, 0);
		unlink(path);
		return 0;
	}

	if (strcmp(mode, "script") == 0 || strcmp(mode, "script-link") == 0) {
		static const char script[] = "#!/bin/sh\nexit 0\n";
		int sfd = memfd_create("script", 0); /* the interpreter reopens it: not close-on-exec */
		if (sfd < 0 || write(sfd, script, sizeof(script) - 1) != sizeof(script) - 1)
			return perror("memfd script"), 1;
		if (strcmp(mode, "script") == 0) {
			syscall(SYS_execveat, sfd, "", args, env, AT_EMPTY_PATH);
		} else {
			char target[64], link[64];
			snprintf(target, sizeof(target), "/proc/%d/fd/%d", getpid(), sfd);
			snprintf(link, sizeof(link), "/tmp/fileless-link-%d", getpid());
			if (symlink(target, link))
				return perror("symlink"), 1;
			pid_t c = fork();
			if (c == 0) {
				execve(link, args, env);
				_exit(127);
			}
			int st;
			waitpid(c, &st, 0);
			unlink(link);
			printf("child=%d\n", c);
			return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
		}
		return perror("exec script"), 1;
	}
	if (strcmp(mode, "ldso") == 0) {
		char path[64];
		snprintf(path, sizeof(path), "/dev/shm/fileless-ldso-%d", getpid());
		int pfd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
		if (pfd < 0 || copy_into(pfd, "/bin/true") < 0)
			return perror(path), 1;
		close(pfd);
		pid_t c = fork();
		if (c == 0) {
			char *ldso[] = {"ld.so", path, NULL};
			execve("/lib64/ld-linux-x86-64.so.2", ldso, env);
			_exit(127);
		}
		int st;
		waitpid(c, &st, 0);
		unlink(path);
		printf("child=%d\n", c);
		return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
	}

	int fd = memfd_create("payload", MFD_CLOEXEC);
	if (fd < 0 || copy_into(fd, payload) < 0)
		return perror("memfd"), 1;
	if (strcmp(mode, "proc") == 0) {
		char path[64];
		/* without CLOEXEC semantics mattering: exec by path reopens the memfd */
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		int nfd = dup(fd); /* dup is not close-on-exec */
		snprintf(path, sizeof(path), "/proc/self/fd/%d", nfd);
		execve(path, args, env);
	} else {
		syscall(SYS_execveat, fd, "", args, env, AT_EMPTY_PATH);
	}
	perror("exec");
	return 1;
}
