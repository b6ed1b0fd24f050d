// Container-scoped attacks, run inside a FROM-scratch container (static
// build). Nothing of the host is changed: cgroup and /proc/sys files are
// opened for writing and closed without a write; everything created lives in
// the container's own file system.
//   cgroup        mount a cgroup v1 hierarchy, open notify_on_release and
//                 release_agent for writing (TRC-106, TRC-1010; CAP_SYS_ADMIN)
//   proc-sys      open core_pattern and sysrq for writing (TRC-1011, TRC-1031;
//                 needs --security-opt systempaths=unconfined; a stand-in
//                 sysrq where the kernel has none, with CAP_SYS_ADMIN)
//   sched-debug   mount debugfs on /sys/kernel/debug, read sched/debug (TRC-1029)
//   k8s-token     read a service account token (TRC-108)
//   k8s-api       connect to $KUBERNETES_SERVICE_HOST:443 (TRC-1013)
//   docker-sock   connect to /var/run/docker.sock (TRC-1019; the test mounts
//                 its private dockerd's socket there, nothing is sent)
//   drop-elf      write an ELF header to /tmp/dropped (TRC-1022)
//   packet        socket(AF_PACKET, SOCK_RAW) (FAL-003; CAP_NET_RAW)
// Run as /sbin/debugfs it only prints (a stand-in for FAL-008, which goes by
// the program executed).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "mkdirs.h"

static int failed;

static void report(const char *what, long r)
{
	printf("%s=%ld errno=%d\n", what, r, r < 0 ? errno : 0);
	if (r < 0)
		failed = 1;
}

static void openclose(const char *path, int flags)
{
	int fd = open(path, flags, 0644);
	report(path, fd);
	if (fd >= 0)
		close(fd);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	const char *base = strrchr(argv[0], '/');
	base = base ? base + 1 : argv[0];
	printf("pid=%d mode=%s\n", getpid(), mode);
	if (!strcmp(base, "debugfs")) {
		printf("debugfs stand-in: nothing opened\n");
		return 0;
	}
	if (!strcmp(mode, "cgroup")) {
		mkdirs("/tmp/cgrp");
		report("mount cgroup", mount("cgroup", "/tmp/cgrp", "cgroup", 0, "memory"));
		mkdirs("/tmp/cgrp/x");
		openclose("/tmp/cgrp/x/notify_on_release", O_WRONLY);
		openclose("/tmp/cgrp/release_agent", O_WRONLY);
		rmdir("/tmp/cgrp/x");
		umount("/tmp/cgrp");
	} else if (!strcmp(mode, "proc-sys")) {
		openclose("/proc/sys/kernel/core_pattern", O_WRONLY);
		// kernels without CONFIG_MAGIC_SYSRQ have no sysrq file: open a
		// stand-in at that path on a tmpfs over /proc/sys/kernel (in the
		// container's own mount namespace; needs CAP_SYS_ADMIN)
		if (access("/proc/sys/kernel/sysrq", F_OK) < 0) {
			report("mount stand-in", mount("tmpfs", "/proc/sys/kernel", "tmpfs", 0, "size=64k"));
			printf("stand-in=1\n");
			openclose("/proc/sys/kernel/sysrq", O_WRONLY | O_CREAT);
			umount("/proc/sys/kernel");
		} else {
			openclose("/proc/sys/kernel/sysrq", O_WRONLY);
		}
	} else if (!strcmp(mode, "sched-debug")) {
		report("mount debugfs", mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL));
		openclose("/sys/kernel/debug/sched/debug", O_RDONLY);
		umount("/sys/kernel/debug");
	} else if (!strcmp(mode, "k8s-token")) {
		mkdirs("/var/run/secrets/kubernetes.io/serviceaccount");
		openclose("/var/run/secrets/kubernetes.io/serviceaccount/token", O_WRONLY | O_CREAT);
		openclose("/var/run/secrets/kubernetes.io/serviceaccount/token", O_RDONLY);
	} else if (!strcmp(mode, "k8s-api")) {
		const char *host = getenv("KUBERNETES_SERVICE_HOST");
		struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(443)};
		if (!host || inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
			fprintf(stderr, "KUBERNETES_SERVICE_HOST unset or not IPv4\n");
			return 1;
		}
		int s = socket(AF_INET, SOCK_STREAM, 0);
		long r = connect(s, (struct sockaddr *)&sa, sizeof(sa));
		printf("connect=%ld errno=%d (refused is fine: the attempt counts)\n", r, r ? errno : 0);
		close(s);
	} else if (!strcmp(mode, "docker-sock")) {
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		strcpy(sa.sun_path, "/var/run/docker.sock");
		int s = socket(AF_UNIX, SOCK_STREAM, 0);
		report("connect", connect(s, (struct sockaddr *)&sa, sizeof(sa)));
		close(s);
	} else if (!strcmp(mode, "drop-elf")) {
		static const char elf[] = "\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\x3e\0";
		mkdirs("/tmp");
		int fd = open("/tmp/dropped", O_WRONLY | O_CREAT | O_TRUNC, 0755);
		report("open /tmp/dropped", fd);
		report("write", write(fd, elf, sizeof(elf) - 1));
		close(fd);
	} else if (!strcmp(mode, "packet")) {
		int s = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
		report("socket", s);
		close(s);
	} else {
		fprintf(stderr, "unknown mode %s\n", mode);
		return 2;
	}
	return failed;
}
