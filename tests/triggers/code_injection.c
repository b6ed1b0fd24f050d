// TRC-3: writes into another process's memory. The target is always a
// child of the trigger (it sleeps, and is killed afterwards) or the trigger
// itself; the bytes written replace a variable that nothing reads.
//   code_injection ptrace-poke     PTRACE_ATTACH the child, PTRACE_POKETEXT, detach
//   code_injection proc-mem        pwrite into /proc/<child>/mem (opened O_RDWR)
//   code_injection proc-self-mem   pwrite into /proc/self/mem (opened O_RDWR)
//   code_injection vm-writev       process_vm_writev into the child
//   code_injection setregs         PTRACE_ATTACH, PTRACE_GETREGS then PTRACE_SETREGS (the same
//                                  registers back: hijacking the instruction pointer needs no memory write)
//   code_injection proc-mem-at DIR pwrite into DIR/<child>/mem: DIR is a second procfs mount (the test's)
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile long target = 0x1111;

static pid_t spawn_target(void)
{
	pid_t c = fork();
	if (c == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (int i = 0; i < 30; i++)
			sleep(1);
		_exit(0);
	}
	return c;
}

static void reap(pid_t c)
{
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
}

static int ptrace_poke(pid_t c)
{
	if (ptrace(PTRACE_ATTACH, c, 0, 0) < 0)
		return perror("PTRACE_ATTACH"), -1;
	int st;
	if (waitpid(c, &st, 0) < 0)
		return perror("waitpid"), -1;
	long r = ptrace(PTRACE_POKETEXT, c, (void *)&target, (void *)0x2222L);
	int err = r < 0 ? errno : 0;
	ptrace(PTRACE_DETACH, c, 0, 0);
	printf("poketext=%ld errno=%d\n", r, err);
	return r < 0 ? -1 : 0;
}

static int setregs(pid_t c)
{
	if (ptrace(PTRACE_ATTACH, c, 0, 0) < 0)
		return perror("PTRACE_ATTACH"), -1;
	int st;
	if (waitpid(c, &st, 0) < 0)
		return perror("waitpid"), -1;
	struct user_regs_struct regs;
	long r = ptrace(PTRACE_GETREGS, c, 0, &regs);
	if (r == 0)
		r = ptrace(PTRACE_SETREGS, c, 0, &regs);
	ptrace(PTRACE_DETACH, c, 0, 0);
	printf("setregs=%ld\n", r);
	return r < 0 ? -1 : 0;
}

static int proc_mem(const char *path)
{
	int fd = open(path, O_RDWR);
	if (fd < 0)
		return perror(path), -1;
	long v = 0x2222;
	ssize_t n = pwrite(fd, &v, sizeof(v), (off_t)(unsigned long)&target);
	close(fd);
	printf("path=%s pwrite=%zd\n", path, n);
	return n == sizeof(v) ? 0 : -1;
}

static int vm_writev(pid_t c)
{
	long v = 0x2222;
	struct iovec local = {&v, sizeof(v)};
	struct iovec remote = {(void *)&target, sizeof(v)};
	ssize_t n = process_vm_writev(c, &local, 1, &remote, 1, 0);
	printf("process_vm_writev=%zd\n", n);
	return n == sizeof(v) ? 0 : -1;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "ptrace-poke";
	if (strcmp(mode, "proc-self-mem") == 0) {
		printf("pid=%d mode=%s\n", getpid(), mode);
		return proc_mem("/proc/self/mem") < 0;
	}
	pid_t c = spawn_target();
	if (c < 0)
		return perror("fork"), 1;
	printf("pid=%d child=%d mode=%s\n", getpid(), c, mode);
	int r;
	if (strcmp(mode, "ptrace-poke") == 0) {
		r = ptrace_poke(c);
	} else if (strcmp(mode, "proc-mem") == 0) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/mem", c);
		r = proc_mem(path);
	} else if (strcmp(mode, "vm-writev") == 0) {
		r = vm_writev(c);
	} else if (strcmp(mode, "setregs") == 0) {
		r = setregs(c);
	} else if (strcmp(mode, "proc-mem-at") == 0 && argc == 3) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%d/mem", argv[2], c);
		r = proc_mem(path);
	} else {
		fprintf(stderr, "unknown mode %s\n", mode);
		r = -1;
	}
	reap(c);
	return r < 0;
}
