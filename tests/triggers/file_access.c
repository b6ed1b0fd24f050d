// Opens, creates, truncates and removes the files Tracee's and the
// Falco-derived file detections watch. Nothing real is changed: reads are
// reads, and every write happens in a throwaway mount namespace on a tmpfs
// mounted over the directory (private to this process, gone when it exits).
//
// Modes: aslr kcore (a stand-in file where the kernel has none) proc-mem shadow k8s-cert sudoers rc cron loader
// clear-logs clear-logs-ftruncate clear-logs-relative hidden-elf link-shadow renames
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mkdirs.h"

static void die(const char *what)
{
	fprintf(stderr, "%s: %s\n", what, strerror(errno));
	exit(1);
}

// scratch hides dir behind an empty tmpfs in a new, private mount namespace.
static void scratch(const char *dir)
{
	if (unshare(CLONE_NEWNS) < 0)
		die("unshare(CLONE_NEWNS)");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die("make / private");
	if (mount("tmpfs", dir, "tmpfs", 0, "size=1m") < 0)
		die(dir);
}

// openclose opens path with flags (creating it 0600 when asked) and closes it
// without reading or writing.
static void openclose(const char *path, int flags)
{
	int fd = open(path, flags, 0600);
	if (fd < 0)
		die(path);
	printf("opened=%s flags=%#o\n", path, flags);
	close(fd);
}

// create makes path in a scratch directory and opens it for writing.
static void create(const char *dir, const char *sub, const char *name)
{
	char d[256], p[512];
	scratch(dir);
	snprintf(d, sizeof(d), "%s%s", dir, sub);
	mkdirs(d);
	snprintf(p, sizeof(p), "%s/%s", d, name);
	openclose(p, O_WRONLY | O_CREAT | O_TRUNC);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	printf("pid=%d mode=%s\n", getpid(), mode);
	fflush(stdout);
	if (!strcmp(mode, "aslr")) {
		openclose("/proc/sys/kernel/randomize_va_space", O_RDONLY);
	} else if (!strcmp(mode, "kcore")) {
		// kernels without CONFIG_PROC_KCORE have no /proc/kcore: read a
		// stand-in at that path in a private mount namespace instead
		if (access("/proc/kcore", F_OK) < 0) {
			create("/proc", "", "kcore");
			printf("stand-in=1\n");
		}
		openclose("/proc/kcore", O_RDONLY);
	} else if (!strcmp(mode, "proc-mem")) {
		pid_t child = fork();
		if (child == 0) {
			pause();
			_exit(0);
		}
		char p[64];
		snprintf(p, sizeof(p), "/proc/%d/mem", child);
		openclose(p, O_RDONLY);
		// the same without a file: read the child's copy of p
		char got[64];
		struct iovec local = {got, sizeof(got)}, remote = {p, sizeof(p)};
		long n = process_vm_readv(child, &local, 1, &remote, 1, 0);
		printf("process_vm_readv=%ld\n", n);
		printf("child=%d\n", child);
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	} else if (!strcmp(mode, "shadow")) {
		openclose("/etc/shadow", O_RDONLY);
	} else if (!strcmp(mode, "k8s-cert")) {
		create("/etc", "/kubernetes/pki", "apiserver.key");
		openclose("/etc/kubernetes/pki/apiserver.key", O_RDONLY);
	} else if (!strcmp(mode, "sudoers")) {
		create("/etc", "/sudoers.d", "zz-trigger");
	} else if (!strcmp(mode, "rc")) {
		create("/etc", "/init.d", "trigger");
	} else if (!strcmp(mode, "cron")) {
		create("/etc", "/cron.d", "trigger");
	} else if (!strcmp(mode, "loader")) {
		create("/usr/lib", "/x86_64-linux-gnu", "ld-linux-x86-64.so.2");
	} else if (!strcmp(mode, "clear-logs")) {
		create("/var/log", "", "trigger.log");
		if (truncate("/var/log/trigger.log", 0) < 0)
			die("truncate");
		if (unlink("/var/log/trigger.log") < 0)
			die("unlink");
		printf("truncated and removed /var/log/trigger.log\n");
	} else if (!strcmp(mode, "clear-logs-relative")) {
		// removed by a name relative to the cwd: the syscall names no log
		create("/var/log", "", "trigger.log");
		if (chdir("/var/log") < 0)
			die("chdir");
		if (unlink("trigger.log") < 0)
			die("unlink");
		printf("removed trigger.log in /var/log\n");
	} else if (!strcmp(mode, "clear-logs-ftruncate")) {
		// as truncate -s 0 does it: opened without O_TRUNC (by a relative
		// name), then cut through the descriptor
		create("/var/log", "", "trigger.log");
		if (chdir("/var/log") < 0)
			die("chdir");
		int fd = open("trigger.log", O_WRONLY);
		if (fd < 0)
			die("trigger.log");
		if (ftruncate(fd, 0) < 0)
			die("ftruncate");
		close(fd);
		printf("emptied /var/log/trigger.log through a descriptor\n");
	} else if (!strcmp(mode, "renames")) {
		// files moved onto watched paths (and a key moved away), each
		// created beside them first, on tmpfs over /etc and /usr/lib
		static const char *moves[][2] = {
			{"/etc/new-sudoers", "/etc/sudoers.d/zz-trigger"},
			{"/etc/new-job", "/etc/cron.d/trigger"},
			{"/etc/new-rc", "/etc/init.d/trigger"},
			{"/etc/kubernetes/pki/apiserver.key", "/etc/stolen.key"},
		};
		scratch("/etc");
		mkdirs("/etc/sudoers.d");
		mkdirs("/etc/cron.d");
		mkdirs("/etc/init.d");
		mkdirs("/etc/kubernetes/pki");
		for (unsigned i = 0; i < sizeof(moves) / sizeof(moves[0]); i++) {
			openclose(moves[i][0], O_WRONLY | O_CREAT);
			if (rename(moves[i][0], moves[i][1]) < 0)
				die(moves[i][1]);
			printf("renamed=%s\n", moves[i][1]);
		}
		if (mount("tmpfs", "/usr/lib", "tmpfs", 0, "size=1m") < 0)
			die("/usr/lib");
		mkdirs("/usr/lib/x86_64-linux-gnu");
		openclose("/usr/lib/ld.new", O_WRONLY | O_CREAT);
		if (rename("/usr/lib/ld.new", "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2") < 0)
			die("rename loader");
		printf("renamed=/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2\n");
	} else if (!strcmp(mode, "link-shadow")) {
		// a symlink and a hard link to /etc/shadow, both removed at once
		char sym[64], hard[64];
		snprintf(sym, sizeof(sym), "/tmp/.shadow-sym-%d", getpid());
		snprintf(hard, sizeof(hard), "/etc/.shadow-link-%d", getpid());
		if (symlink("/etc/shadow", sym) < 0)
			die("symlink");
		unlink(sym);
		if (link("/etc/shadow", hard) < 0)
			die("link");
		unlink(hard);
		printf("linked and removed %s %s\n", sym, hard);
	} else if (!strcmp(mode, "hidden-elf")) {
		char p[64];
		static const char elf[] = "\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\x3e\0";
		snprintf(p, sizeof(p), "/tmp/.trigger-%d", getpid());
		int fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0700);
		if (fd < 0)
			die(p);
		if (write(fd, elf, sizeof(elf) - 1) != sizeof(elf) - 1)
			die("write");
		close(fd);
		unlink(p);
		printf("wrote and removed %s\n", p);
	} else {
		fprintf(stderr, "unknown mode %s\n", mode);
		return 2;
	}
	return 0;
}
