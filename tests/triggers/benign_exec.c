// Ordinary software that looks like an attack to a naive detector; the
// benign corpus (tests/e2e) expects no finding from any of it. Prints pid=<pid>.
//   benign_exec fexecve       fexecve(open("/bin/true")): an on-disk file run by descriptor
//   benign_exec proc-fd       execve("/proc/self/fd/N") of /bin/true
//   benign_exec inetd         a listening TCP socket (127.0.0.1, any port) as stdin, then
//                             exec /bin/true: how inetd/systemd socket activation starts a service
//   benign_exec traceme-exec  fork; the child PTRACE_TRACEMEs and execs /bin/true, the parent
//                             waits for the exec stop and detaches: a debugger starting its target
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	if (!strcmp(base, "true"))
		return 0; // installed as /bin/true in a FROM scratch image
	char *args[] = {"true", NULL};
	printf("pid=%d mode=%s\n", getpid(), mode);
	fflush(stdout);
	if (!strcmp(mode, "fexecve") || !strcmp(mode, "proc-fd")) {
		int fd = open("/bin/true", O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return perror("/bin/true"), 1;
		if (!strcmp(mode, "fexecve")) {
			fexecve(fd, args, environ);
		} else {
			char p[64];
			fcntl(fd, F_SETFD, 0);
			snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
			execve(p, args, environ);
		}
		return perror(mode), 1;
	}
	if (!strcmp(mode, "inetd")) {
		int s = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 1))
			return perror("listen"), 1;
		if (dup2(s, 0) != 0)
			return perror("dup2"), 1;
		close(s);
		execve("/bin/true", args, environ);
		return perror("exec"), 1;
	}
	if (!strcmp(mode, "traceme-exec")) {
		pid_t c = fork();
		if (c == 0) {
			ptrace(PTRACE_TRACEME, 0, 0, 0);
			execve("/bin/true", args, environ);
			_exit(127);
		}
		int st;
		if (waitpid(c, &st, 0) != c || !WIFSTOPPED(st))
			return fprintf(stderr, "no exec stop\n"), 1;
		ptrace(PTRACE_DETACH, c, 0, 0);
		waitpid(c, &st, 0);
		printf("child=%d\n", c);
		return 0;
	}
	fprintf(stderr, "usage: benign_exec fexecve|proc-fd|inetd|traceme-exec\n");
	return 2;
}
