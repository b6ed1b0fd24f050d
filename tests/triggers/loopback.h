// A loopback TCP listener and a child that connects to it; shared by the
// triggers that accept a connection of their own (reverse_shell, uring).
#ifndef TRIGGER_LOOPBACK_H
#define TRIGGER_LOOPBACK_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

// loopback_listener listens on 127.0.0.1 (a free port, stored in *port).
static int loopback_listener(int *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 4) ||
	    getsockname(l, (struct sockaddr *)&a, &len))
		return perror("listener"), -1;
	*port = ntohs(a.sin_port);
	return l;
}

// loopback_client forks a child that connects to port on 127.0.0.1 and
// reads until the connection ends (or the parent dies).
static pid_t loopback_client(int port)
{
	pid_t c = fork();
	if (c == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		int s = socket(AF_INET, SOCK_STREAM, 0);
		if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)) < 0)
			_exit(1);
		char buf[64];
		while (read(s, buf, sizeof(buf)) > 0)
			;
		_exit(0);
	}
	return c;
}

#endif
