// The signatures' techniques through the i386 syscall ABI from a 64-bit
// program: `int $0x80` takes i386 numbers and 32-bit arguments (bx, cx, dx,
// si, di, bp), so every pointer lives in a MAP_32BIT buffer. The tracer must
// report each as the x86_64 event of the same meaning.
//   evasion_int80 traceme             ptrace(PTRACE_TRACEME)           TRC-2
//   evasion_int80 init                init_module (fails: ENOSYS)      TRC-6
//   evasion_int80 mmap2               mmap2 RWX                        TRC-4
//   evasion_int80 old-mmap            old mmap (arguments in memory)   TRC-4
//   evasion_int80 mprotect            mprotect RW -> RWX               TRC-4
//   evasion_int80 vm-writev           process_vm_writev into a child   TRC-3
//   evasion_int80 proc-mem            open /proc/CHILD/mem O_RDWR      TRC-3
//   evasion_int80 socketcall HOST PORT  socketcall socket+connect, dup2 onto 0-2, write  TRC-1
//   evasion_int80 preload             execve /bin/true with LD_PRELOAD TRC-7
// Prints pid=<pid> (and child=<pid> for the injection modes).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/net.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

// i386 numbers (asm/unistd_32.h; this program is built 64-bit, so the
// header's __NR_ names are the x86_64 ones).
enum {
	I386_EXIT = 1,
	I386_OPEN = 5,
	I386_CLOSE = 6,
	I386_EXECVE = 11,
	I386_PTRACE = 26,
	I386_DUP2 = 63,
	I386_OLD_MMAP = 90,
	I386_SOCKETCALL = 102,
	I386_MPROTECT = 125,
	I386_INIT_MODULE = 128,
	I386_MMAP2 = 192,
	I386_WRITE = 4,
	I386_PROCESS_VM_WRITEV = 348,
};

static long int80(long nr, long a, long b, long c, long d, long e, long f)
{
	long ret;
	// bp is the sixth argument; keep the caller's in r12 across the call
	asm volatile("mov %%rbp, %%r12\n\tmov %[f], %%rbp\n\tint $0x80\n\tmov %%r12, %%rbp"
		     : "=a"(ret)
		     : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d), "D"(e), [f] "r"(f)
		     : "r12", "memory");
	return ret;
}

static char *low; // a MAP_32BIT scratch area for everything the kernel reads

static uint32_t lowstr(size_t off, const char *s)
{
	strcpy(low + off, s);
	return (uint32_t)(uintptr_t)(low + off);
}

static pid_t sleeper(void)
{
	pid_t c = fork();
	if (c == 0) {
		pause();
		_exit(0);
	}
	return c;
}

static int usage(void)
{
	fprintf(stderr, "usage: evasion_int80 traceme|init|mmap2|old-mmap|mprotect|vm-writev|proc-mem|preload|socketcall HOST PORT\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	const char *mode = argv[1];
	low = mmap(NULL, 1 << 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (low == MAP_FAILED)
		return perror("mmap MAP_32BIT"), 1;
	long r = 0;
	pid_t child = 0;
	if (!strcmp(mode, "vm-writev") || !strcmp(mode, "proc-mem")) {
		child = sleeper();
		printf("pid=%d child=%d mode=%s\n", getpid(), child, mode);
	} else {
		printf("pid=%d mode=%s\n", getpid(), mode);
	}
	fflush(stdout);

	if (!strcmp(mode, "traceme")) {
		r = int80(I386_PTRACE, PTRACE_TRACEME, 0, 0, 0, 0, 0);
	} else if (!strcmp(mode, "init")) {
		r = int80(I386_INIT_MODULE, lowstr(0, "not a module"), 64, lowstr(128, ""), 0, 0, 0);
	} else if (!strcmp(mode, "mmap2")) {
		r = int80(I386_MMAP2, 0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	} else if (!strcmp(mode, "old-mmap")) {
		uint32_t *a = (uint32_t *)low;
		uint32_t args[6] = {0, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, (uint32_t)-1, 0};
		memcpy(a, args, sizeof(args));
		r = int80(I386_OLD_MMAP, (uint32_t)(uintptr_t)a, 0, 0, 0, 0, 0);
	} else if (!strcmp(mode, "mprotect")) {
		char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
		r = int80(I386_MPROTECT, (uint32_t)(uintptr_t)p, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, 0, 0, 0);
	} else if (!strcmp(mode, "vm-writev")) {
		// write into the child's copy of `low` (same address after fork)
		uint32_t *iov = (uint32_t *)(low + 256);
		strcpy(low + 512, "injected");
		iov[0] = (uint32_t)(uintptr_t)(low + 512), iov[1] = 8; // local
		iov[2] = (uint32_t)(uintptr_t)(low + 1024), iov[3] = 8; // remote
		r = int80(I386_PROCESS_VM_WRITEV, child, (uint32_t)(uintptr_t)iov, 1, (uint32_t)(uintptr_t)(iov + 2), 1, 0);
	} else if (!strcmp(mode, "proc-mem")) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/mem", child);
		r = int80(I386_OPEN, lowstr(0, path), O_RDWR, 0, 0, 0, 0);
		if (r >= 0)
			int80(I386_CLOSE, r, 0, 0, 0, 0, 0);
	} else if (!strcmp(mode, "preload")) {
		uint32_t *vec = (uint32_t *)(low + 1024);
		vec[0] = lowstr(0, "true"), vec[1] = 0;                                           // argv
		vec[2] = lowstr(64, "LD_PRELOAD=/nonexistent/evasion_int80.so"), vec[3] = 0;      // envp
		r = int80(I386_EXECVE, lowstr(128, "/bin/true"), (uint32_t)(uintptr_t)vec, (uint32_t)(uintptr_t)(vec + 2), 0, 0, 0);
	} else if (!strcmp(mode, "socketcall") && argc == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)(low + 2048);
		memset(sin, 0, sizeof(*sin));
		sin->sin_family = AF_INET;
		sin->sin_port = htons(atoi(argv[3]));
		if (inet_pton(AF_INET, argv[2], &sin->sin_addr) != 1)
			return usage();
		uint32_t *a = (uint32_t *)(low + 4096);
		a[0] = AF_INET, a[1] = SOCK_STREAM, a[2] = 0;
		long s = int80(I386_SOCKETCALL, SYS_SOCKET, (uint32_t)(uintptr_t)a, 0, 0, 0, 0);
		if (s < 0)
			return fprintf(stderr, "socket: %ld\n", s), 1;
		a[0] = s, a[1] = (uint32_t)(uintptr_t)sin, a[2] = sizeof(*sin);
		r = int80(I386_SOCKETCALL, SYS_CONNECT, (uint32_t)(uintptr_t)a, 0, 0, 0, 0);
		if (r < 0)
			return fprintf(stderr, "connect: %ld\n", r), 1;
		printf("sock=%ld\n", s);
		fflush(stdout);
		for (int fd = 0; fd <= 2; fd++)
			if (int80(I386_DUP2, s, fd, 0, 0, 0, 0) != fd)
				return 1;
		int80(I386_CLOSE, s, 0, 0, 0, 0, 0);
		r = int80(I386_WRITE, 0, lowstr(8192, "evasion_int80: harmless\n"), 24, 0, 0, 0);
	} else {
		return usage();
	}
	if (child) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	fprintf(stderr, "%s=%ld\n", mode, r);
	return r < 0 && r > -4096 && strcmp(mode, "init") ? 1 : 0;
}
