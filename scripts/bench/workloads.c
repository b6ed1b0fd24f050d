// Workloads for `make bench` (timed from outside):
//   workloads openclose N   open and close /dev/null N times
//   workloads forkexec N    fork and exec /bin/true N times, one at a time
//   workloads tcp N         N request/response round trips of 64 bytes over
//                           loopback TCP between two processes
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int full(int fd, char *b, int n, int wr)
{
	for (int d = 0; d < n;) {
		int r = wr ? write(fd, b + d, n - d) : read(fd, b + d, n - d);
		if (r <= 0)
			return -1;
		d += r;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return fprintf(stderr, "usage: workloads openclose|forkexec|tcp N\n"), 2;
	long n = atol(argv[2]);
	if (!strcmp(argv[1], "openclose")) {
		for (long i = 0; i < n; i++)
			close(open("/dev/null", O_RDONLY));
	} else if (!strcmp(argv[1], "forkexec")) {
		for (long i = 0; i < n; i++) {
			pid_t p = fork();
			if (p == 0) {
				execl("/bin/true", "true", (char *)NULL);
				_exit(127);
			}
			waitpid(p, NULL, 0);
		}
	} else if (!strcmp(argv[1], "tcp")) {
		int ls = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
		socklen_t al = sizeof(a);
		if (bind(ls, (void *)&a, sizeof(a)) || listen(ls, 1) || getsockname(ls, (void *)&a, &al))
			return perror("listen"), 1;
		pid_t p = fork();
		if (p == 0) {
			int c = accept(ls, NULL, NULL);
			char b[64];
			while (full(c, b, 64, 0) == 0 && full(c, b, 64, 1) == 0)
				;
			_exit(0);
		}
		int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
		setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (connect(s, (void *)&a, sizeof(a)))
			return perror("connect"), 1;
		char b[64] = "ping";
		for (long i = 0; i < n; i++)
			if (full(s, b, 64, 1) || full(s, b, 64, 0))
				return perror("round trip"), 1;
		close(s);
		waitpid(p, NULL, 0);
	} else {
		return fprintf(stderr, "unknown workload %s\n", argv[1]), 2;
	}
	return 0;
}
