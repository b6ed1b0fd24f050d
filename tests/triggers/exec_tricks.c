// Runs programs the way the exec-based detections look for:
//   loader-exec           /lib64/ld-linux-x86-64.so.2 /bin/true (FAL-009)
//   search DIR            find DIR -name id_rsa (FAL-004)
//   web-shell             renames itself nginx, then a child runs /bin/sh -c true (TRC-1016)
//   netcat HOST PORT      ncat -e /bin/true HOST PORT (FAL-007; the test listens)
//   update-rc             update-rc.d tracee-trigger-none defaults (TRC-1026; it refuses:
//                         there is no such script)
// Prints pid=<pid> and child=<pid> of the process that executed.
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

// run forks a child that executes argv and waits for it.
static int run(char *const argv[])
{
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		execv(argv[0], argv);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	printf("child=%d\n", c);
	int st = 0;
	waitpid(c, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	printf("pid=%d mode=%s\n", getpid(), mode);
	int rc;
	if (!strcmp(mode, "loader-exec")) {
		rc = run((char *[]){"/lib64/ld-linux-x86-64.so.2", "/bin/true", NULL});
	} else if (!strcmp(mode, "search") && argc > 2) {
		rc = run((char *[]){"/usr/bin/find", argv[2], "-name", "id_rsa", NULL});
	} else if (!strcmp(mode, "web-shell")) {
		prctl(PR_SET_NAME, "nginx");
		rc = run((char *[]){"/bin/sh", "-c", "true", NULL});
	} else if (!strcmp(mode, "update-rc")) {
		// refuses (no such init script) after starting: nothing changes
		run((char *[]){"/usr/sbin/update-rc.d", "tracee-trigger-none", "defaults", NULL});
		rc = 0;
	} else if (!strcmp(mode, "netcat") && argc > 3) {
		rc = run((char *[]){"/usr/bin/ncat", "-e", "/bin/true", argv[2], argv[3], NULL});
	} else {
		fprintf(stderr, "usage: exec_tricks loader-exec|search DIR|web-shell|netcat HOST PORT|update-rc\n");
		return 2;
	}
	printf("status=%d\n", rc);
	return rc;
}
