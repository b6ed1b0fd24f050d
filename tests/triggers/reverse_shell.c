// TRC-1: a reverse shell's plumbing, without the shell. Connects to
// HOST:PORT (IPv4 or IPv6; the test runs the listener) and makes the socket
// the process's standard input, output and error:
//   reverse_shell dup2 HOST PORT   socket + connect, dup2 onto 0, 1, 2
//   reverse_shell dup3 HOST PORT   the same with dup3
//   reverse_shell fd0  HOST PORT   close(0), so socket() returns fd 0, connect
// It then writes one line into the socket and runs /bin/true (never a shell).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int usage(void)
{
	fprintf(stderr, "usage: reverse_shell dup2|dup3|fd0 HOST PORT\n");
	return 2;
}

// peer fills ss with HOST:PORT and returns its length (0 when HOST is no address).
static socklen_t peer(const char *host, const char *port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	int p = atoi(port);
	if (p <= 0 || p > 65535)
		return 0;
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(p);
		return sizeof(*in4);
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(p);
		return sizeof(*in6);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 4)
		return usage();
	const char *mode = argv[1];
	struct sockaddr_storage ss;
	socklen_t len = peer(argv[2], argv[3], &ss);
	if (len == 0)
		return usage();
	printf("pid=%d mode=%s host=%s port=%s\n", getpid(), mode, argv[2], argv[3]);
	fflush(stdout);

	int s;
	if (strcmp(mode, "fd0") == 0) {
		close(0);
		s = socket(ss.ss_family, SOCK_STREAM, 0);
		if (s != 0) {
			fprintf(stderr, "socket returned fd %d, want 0\n", s);
			return 1;
		}
	} else if (strcmp(mode, "dup2") == 0 || strcmp(mode, "dup3") == 0) {
		s = socket(ss.ss_family, SOCK_STREAM, 0);
	} else {
		return usage();
	}
	if (s < 0)
		return perror("socket"), 1;
	if (connect(s, (struct sockaddr *)&ss, len) < 0)
		return perror("connect"), 1;
	printf("sock=%d\n", s);
	fflush(stdout);

	if (strcmp(mode, "fd0") != 0) {
		for (int fd = 0; fd <= 2; fd++) {
			int r = strcmp(mode, "dup3") == 0 ? dup3(s, fd, 0) : dup2(s, fd);
			if (r != fd)
				return perror(mode), 1;
		}
		close(s);
	}
	static const char msg[] = "reverse_shell: harmless\n";
	if (write(0, msg, sizeof(msg) - 1) < 0)
		return 1;
	char *args[] = {"true", NULL};
	char *env[] = {"PATH=/usr/bin:/bin", NULL};
	execve("/bin/true", args, env);
	return 1;
}
