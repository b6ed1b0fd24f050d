// TRC-1: a reverse shell's plumbing, without the shell. Connects to
// HOST:PORT (IPv4 or IPv6; the test runs the listener) and makes the socket
// the process's standard input, output and error:
//   reverse_shell dup2 HOST PORT   socket + connect, dup2 onto 0, 1, 2
//   reverse_shell dup3 HOST PORT   the same with dup3
//   reverse_shell fd0  HOST PORT   close(0), so socket() returns fd 0, connect
//   reverse_shell fcntl HOST PORT  close(0), fcntl(s, F_DUPFD, 0)
//   reverse_shell scm HOST PORT    a child connects and passes the socket over
//                                  SCM_RIGHTS; it arrives as fd 0 (closed before)
//   reverse_shell pidfd HOST PORT  a child connects; pidfd_getfd takes its socket as fd 0
//   reverse_shell dup-first HOST PORT  dup2 onto 0, 1, 2 while unconnected, then
//                                  connect the original fd (names no std fd)
//   reverse_shell accept           listens on 127.0.0.1, a child connects;
//   reverse_shell accept4          close(0), then accept (accept4) lands the
//                                  connection on fd 0 (HOST PORT not needed)
// It then writes one line into the socket and runs /bin/true (never a shell);
// scm and pidfd run `sh -c "exit 0"` with the socket as stdin, the route by
// which no syscall of theirs names fd 0 as a socket.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loopback.h"

// child_socket connects a socket in a child process; it returns the
// child's pid and its fd number (the child waits on pipe p until killed).
static pid_t child_socket(struct sockaddr_storage *ss, socklen_t len, int sv, int *childfd)
{
	int p[2];
	if (pipe(p))
		return -1;
	pid_t c = fork();
	if (c == 0) {
		int s = socket(ss->ss_family, SOCK_STREAM, 0);
		if (s < 0 || connect(s, (struct sockaddr *)ss, len) < 0)
			_exit(1);
		if (sv >= 0) { // pass it over SCM_RIGHTS
			char data = 'x';
			struct iovec iov = {.iov_base = &data, .iov_len = 1};
			char cbuf[CMSG_SPACE(sizeof(int))] = {0};
			struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
			struct cmsghdr *cm = CMSG_FIRSTHDR(&m);
			cm->cmsg_level = SOL_SOCKET, cm->cmsg_type = SCM_RIGHTS, cm->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(cm), &s, sizeof(int));
			if (sendmsg(sv, &m, 0) != 1)
				_exit(1);
		}
		if (write(p[1], &s, sizeof(s)) != sizeof(s))
			_exit(1);
		pause();
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], childfd, sizeof(*childfd)) != sizeof(*childfd))
		return -1;
	close(p[0]);
	return c;
}

static int usage(void)
{
	fprintf(stderr, "usage: reverse_shell dup2|dup3|fd0|fcntl|scm|pidfd|dup-first HOST PORT | accept|accept4\n");
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

// accept, accept4: a connection from a child of ours accepted onto fd 0.
static int accept_mode(int four)
{
	int port, l = loopback_listener(&port);
	if (l < 0)
		return 1;
	pid_t c = loopback_client(port);
	printf("pid=%d mode=%s child=%d port=%d\n", getpid(), four ? "accept4" : "accept", c, port);
	fflush(stdout);
	close(0);
	int s = four ? accept4(l, NULL, NULL, SOCK_CLOEXEC) : accept(l, NULL, NULL);
	if (s != 0)
		return fprintf(stderr, "accept returned fd %d, want 0\n", s), 1;
	static const char msg[] = "reverse_shell: harmless\n";
	if (write(0, msg, sizeof(msg) - 1) < 0)
		return perror("write"), 1;
	close(0);
	waitpid(c, NULL, 0);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "accept") == 0 || strcmp(argv[1], "accept4") == 0))
		return accept_mode(argv[1][6] == '4');
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
	} else if (strcmp(mode, "dup2") == 0 || strcmp(mode, "dup3") == 0 || strcmp(mode, "fcntl") == 0) {
		s = socket(ss.ss_family, SOCK_STREAM, 0);
	} else if (strcmp(mode, "dup-first") == 0) {
		s = socket(ss.ss_family, SOCK_STREAM, 0);
		for (int fd = 0; s >= 0 && fd <= 2; fd++)
			if (dup2(s, fd) != fd)
				return perror("dup2"), 1;
	} else if (strcmp(mode, "scm") == 0 || strcmp(mode, "pidfd") == 0) {
		int sv[2] = {-1, -1}, childfd;
		if (strcmp(mode, "scm") == 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
			return perror("socketpair"), 1;
		pid_t c = child_socket(&ss, len, sv[1], &childfd);
		if (c < 0)
			return fprintf(stderr, "child socket failed\n"), 1;
		close(0);
		if (sv[0] >= 0) {
			char data, cbuf[CMSG_SPACE(sizeof(int))];
			struct iovec iov = {.iov_base = &data, .iov_len = 1};
			struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
			if (recvmsg(sv[0], &m, 0) != 1)
				return perror("recvmsg"), 1;
			memcpy(&s, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof(int));
		} else {
			int pfd = syscall(SYS_pidfd_open, c, 0);
			if (pfd < 0) // pidfd_open takes the lowest fd: 0
				return perror("pidfd_open"), 1;
			int keep = dup(pfd);
			close(pfd);
			s = syscall(SYS_pidfd_getfd, keep, childfd, 0);
		}
		kill(c, SIGKILL);
		waitpid(c, NULL, 0);
		if (s != 0)
			return fprintf(stderr, "%s: the socket is fd %d, want 0\n", mode, s), 1;
		printf("sock=%d\n", s);
		fflush(stdout);
		static const char msg[] = "reverse_shell: harmless\n";
		if (write(0, msg, sizeof(msg) - 1) < 0)
			return 1;
		char *args[] = {"sh", "-c", "exit 0", NULL};
		char *env[] = {"PATH=/usr/bin:/bin", NULL};
		execve("/bin/sh", args, env);
		return 1;
	} else {
		return usage();
	}
	if (s < 0)
		return perror("socket"), 1;
	if (connect(s, (struct sockaddr *)&ss, len) < 0)
		return perror("connect"), 1;
	printf("sock=%d\n", s);
	fflush(stdout);

	if (strcmp(mode, "fcntl") == 0) {
		close(0);
		if (fcntl(s, F_DUPFD, 0) != 0)
			return perror("fcntl F_DUPFD"), 1;
		close(s);
	} else if (strcmp(mode, "fd0") != 0 && strcmp(mode, "dup-first") != 0) {
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
