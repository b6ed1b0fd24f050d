// Opens through io_uring (no open syscall): IORING_OP_OPENAT on a raw ring
// (io_uring_setup, mmap'd queues, io_uring_enter; no liburing).
//   uring preload    /etc/ld.so.preload opened O_WRONLY|O_CREAT|O_APPEND, nothing
//                    written; a file created for this is removed again     TRC-7
//   uring proc-mem   /proc/<child>/mem opened O_RDWR (a sleeping child)    TRC-3
// Prints pid=<pid> (child=<pid>) and fd=<fd>.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int uring_openat(const char *path, int flags, int mode)
{
	struct io_uring_params p;
	memset(&p, 0, sizeof(p));
	int ring = syscall(SYS_io_uring_setup, 4, &p);
	if (ring < 0)
		return perror("io_uring_setup"), -1;
	size_t sq_sz = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	size_t cq_sz = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	char *sq = mmap(0, sq_sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQ_RING);
	char *cq = mmap(0, cq_sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_CQ_RING);
	struct io_uring_sqe *sqes = mmap(0, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
					 MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || sqes == MAP_FAILED)
		return perror("mmap ring"), -1;
	unsigned *tail = (unsigned *)(sq + p.sq_off.tail), *mask = (unsigned *)(sq + p.sq_off.ring_mask);
	unsigned *array = (unsigned *)(sq + p.sq_off.array);
	unsigned idx = *tail & *mask;
	struct io_uring_sqe *e = &sqes[idx];
	memset(e, 0, sizeof(*e));
	e->opcode = IORING_OP_OPENAT;
	e->fd = AT_FDCWD;
	e->addr = (unsigned long)path;
	e->open_flags = flags;
	e->len = mode;
	array[idx] = idx;
	__atomic_store_n(tail, *tail + 1, __ATOMIC_RELEASE);
	if (syscall(SYS_io_uring_enter, ring, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		return perror("io_uring_enter"), -1;
	unsigned *chead = (unsigned *)(cq + p.cq_off.head);
	struct io_uring_cqe *cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	unsigned cmask = *(unsigned *)(cq + p.cq_off.ring_mask);
	int res = cqes[*chead & cmask].res;
	__atomic_store_n(chead, *chead + 1, __ATOMIC_RELEASE);
	close(ring);
	if (res < 0)
		errno = -res;
	return res;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	if (!strcmp(mode, "preload")) {
		struct stat st;
		int existed = stat("/etc/ld.so.preload", &st) == 0;
		printf("pid=%d mode=%s\n", getpid(), mode);
		fflush(stdout);
		int fd = uring_openat("/etc/ld.so.preload", O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd < 0)
			return perror("io_uring openat"), 1;
		close(fd);
		if (!existed)
			unlink("/etc/ld.so.preload");
		printf("fd=%d existed=%d\n", fd, existed);
		return 0;
	}
	if (!strcmp(mode, "proc-mem")) {
		pid_t c = fork();
		if (c == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			pause();
			_exit(0);
		}
		printf("pid=%d child=%d mode=%s\n", getpid(), c, mode);
		fflush(stdout);
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/mem", c);
		int fd = uring_openat(path, O_RDWR, 0);
		kill(c, SIGKILL);
		waitpid(c, NULL, 0);
		if (fd < 0)
			return perror("io_uring openat"), 1;
		printf("fd=%d\n", fd);
		return 0;
	}
	fprintf(stderr, "usage: uring preload|proc-mem\n");
	return 2;
}
