// A loopback TCP exchange in one process (for packet captures):
//   tcp_loopback TEXT   listen on 127.0.0.1 (any port), connect to it,
//                       send TEXT, receive it on the accepted socket, send
//                       back "REPLY:" TEXT and read it; prints pid=, port=
//                       and ok=1 when both sides got their bytes.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2)
		return fprintf(stderr, "usage: tcp_loopback TEXT\n"), 2;
	const char *text = argv[1];
	size_t n = strlen(text);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(l, 1) < 0 ||
	    getsockname(l, (struct sockaddr *)&a, &alen) < 0)
		return perror("listen"), 1;
	int c = socket(AF_INET, SOCK_STREAM, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof(a)) < 0)
		return perror("connect"), 1;
	int s = accept(l, NULL, NULL);
	if (s < 0)
		return perror("accept"), 1;
	char buf[512], reply[520];
	if (write(c, text, n) != (ssize_t)n)
		return perror("send"), 1;
	ssize_t got = 0;
	while (got < (ssize_t)n) {
		ssize_t r = read(s, buf + got, sizeof(buf) - 1 - got);
		if (r <= 0)
			return perror("recv"), 1;
		got += r;
	}
	int m = snprintf(reply, sizeof(reply), "REPLY:%.*s", (int)got, buf);
	if (write(s, reply, m) != m)
		return perror("reply"), 1;
	got = 0;
	while (got < m) {
		ssize_t r = read(c, buf + got, sizeof(buf) - 1 - got);
		if (r <= 0)
			return perror("read reply"), 1;
		got += r;
	}
	close(c);
	close(s);
	close(l);
	printf("pid=%d port=%d ok=%d\n", getpid(), ntohs(a.sin_port), got == m && memcmp(buf, reply, m) == 0);
	return 0;
}
