// Requests through io_uring (no open, connect, accept or write syscall), on
// a raw ring (io_uring_setup, mmap'd queues, io_uring_enter; no liburing).
//   uring preload        /etc/ld.so.preload opened O_WRONLY|O_CREAT|O_APPEND,
//                        nothing written; a file created for this is
//                        removed again                                    TRC-7
//   uring proc-mem       /proc/<child>/mem opened O_RDWR (a sleeping child) TRC-3
//   uring fixed-preload  the same as preload into a fixed-file slot (a
//                        direct descriptor: no fd is ever installed)      TRC-7
//   uring fixed-proc-mem the same as proc-mem into a fixed-file slot      TRC-3
//   uring connect-stdin HOST PORT   a socket dup2'd onto 0, 1, 2 while
//                        unconnected, then IORING_OP_CONNECT on fd 0; one
//                        line written to fd 0                              TRC-1
//   uring connect-other HOST PORT   the same, connecting the socket's
//                        original fd (3 or more), which names no std fd    TRC-1
//   uring connect-fixed HOST PORT   the same, connecting it as a fixed file
//                        registered from fd 0 (IOSQE_FIXED_FILE)           TRC-1
//   uring accept-stdin   listens on 127.0.0.1, a child connects; close(0),
//                        then IORING_OP_ACCEPT lands the connection on fd 0 TRC-1
//   uring fixed-install  the same, accepted into a fixed slot, then
//                        IORING_OP_FIXED_FD_INSTALL puts it on fd 0        TRC-1
//   uring write-elf PATH PATH created with open(2), then an ELF header
//                        written at offset 0 by IORING_OP_WRITE, WRITEV and
//                        WRITE_FIXED (three files: PATH.write, PATH.writev,
//                        PATH.fixed)                                 magic_write
//   uring rename|link|symlink  an empty file (or a dangling symlink) put at
//                        /etc/ld.so.preload by IORING_OP_RENAMEAT (relative
//                        to an /etc dirfd), LINKAT or SYMLINKAT and removed
//                        at once; only when there is none                   TRC-7
//   uring ftruncate PATH PATH (which exists) opened O_WRONLY with open(2), then
//                        emptied by IORING_OP_FTRUNCATE (Linux 6.9+)  FAL-005
//   uring unlink DIR NAME  DIR/NAME removed by IORING_OP_UNLINKAT relative to
//                        a DIR dirfd (no unlink syscall)                   FAL-005
//   uring benign DIR     an io_uring server and client on loopback (fds 0-2
//                        untouched) and a text file DIR/notes.txt written;
//                        the benign corpus: nothing to report
// MODE-skip: the same with every request submitted with
// IOSQE_CQE_SKIP_SUCCESS (no completion is posted on success), for
// fixed-preload, fixed-proc-mem, connect-*, write-elf and ftruncate. MODE-sqpoll: the
// same through an IORING_SETUP_SQPOLL ring (requests submitted by the
// process's iou-sqp thread).
// Prints pid=<pid> (child=<pid>, port=<port>) and fd=<fd> or res=<res>.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loopback.h"

#define OP_FIXED_FD_INSTALL 54 // newer than some uapi headers

// Mode suffix -skip: every request is submitted with IOSQE_CQE_SKIP_SUCCESS
// (no completion is posted when it succeeds); -sqpoll: the rings are set up
// with IORING_SETUP_SQPOLL (a kernel thread of the process submits).
static int skip_cqe, sqpoll;

struct ring {
	int fd;
	unsigned *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
};

static int ring_init(struct ring *r)
{
	struct io_uring_params p;
	memset(&p, 0, sizeof(p));
	if (sqpoll) {
		p.flags = IORING_SETUP_SQPOLL;
		p.sq_thread_idle = 1000;
	}
	r->fd = syscall(SYS_io_uring_setup, 4, &p);
	if (r->fd < 0)
		return perror("io_uring_setup"), -1;
	size_t sq_sz = p.sq_off.array + p.sq_entries * sizeof(unsigned);
	size_t cq_sz = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
	char *sq = mmap(0, sq_sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQ_RING);
	char *cq = mmap(0, cq_sz, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_CQ_RING);
	r->sqes = mmap(0, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		       r->fd, IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || r->sqes == MAP_FAILED)
		return perror("mmap ring"), -1;
	r->sq_tail = (unsigned *)(sq + p.sq_off.tail);
	r->sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
	r->sq_array = (unsigned *)(sq + p.sq_off.array);
	r->cq_head = (unsigned *)(cq + p.cq_off.head);
	r->cq_tail = (unsigned *)(cq + p.cq_off.tail);
	r->cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
	r->cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
	return 0;
}

// A zeroed sqe for one request.
static struct io_uring_sqe *ring_sqe(struct ring *r)
{
	unsigned idx = *r->sq_tail & *r->sq_mask;
	struct io_uring_sqe *e = &r->sqes[idx];
	memset(e, 0, sizeof(*e));
	r->sq_array[idx] = idx;
	return e;
}

// Submits the prepared sqe, waits for its completion and returns its res;
// with skip_cqe, gives it 200 ms and returns 0.
static int ring_run(struct ring *r)
{
	if (skip_cqe) {
		r->sqes[*r->sq_tail & *r->sq_mask].flags |= IOSQE_CQE_SKIP_SUCCESS;
		__atomic_store_n(r->sq_tail, *r->sq_tail + 1, __ATOMIC_RELEASE);
		if (syscall(SYS_io_uring_enter, r->fd, 1, 0, 0, NULL, 0) < 0)
			return perror("io_uring_enter"), -errno;
		usleep(200000);
		return 0;
	}
	__atomic_store_n(r->sq_tail, *r->sq_tail + 1, __ATOMIC_RELEASE);
	// with SQPOLL the kernel thread takes the entry: wake it, wait for the completion
	unsigned to_submit = sqpoll ? 0 : 1, flags = IORING_ENTER_GETEVENTS | (sqpoll ? IORING_ENTER_SQ_WAKEUP : 0);
	if (syscall(SYS_io_uring_enter, r->fd, to_submit, 1, flags, NULL, 0) < 0)
		return perror("io_uring_enter"), -errno;
	unsigned head = *r->cq_head;
	int res = r->cqes[head & *r->cq_mask].res;
	__atomic_store_n(r->cq_head, head + 1, __ATOMIC_RELEASE);
	return res;
}

// A table of n empty fixed-file slots.
static int ring_sparse_files(struct ring *r, int n)
{
	int fds[8];
	for (int i = 0; i < n && i < 8; i++)
		fds[i] = -1;
	if (syscall(SYS_io_uring_register, r->fd, IORING_REGISTER_FILES, fds, n) < 0)
		return perror("IORING_REGISTER_FILES"), -1;
	return 0;
}

// IORING_OP_OPENAT: the fd, or with slot > 0 into fixed slot slot-1 (0 on success).
static int uring_openat(struct ring *r, const char *path, int flags, int mode, unsigned slot)
{
	struct io_uring_sqe *e = ring_sqe(r);
	e->opcode = IORING_OP_OPENAT;
	e->fd = AT_FDCWD;
	e->addr = (unsigned long)path;
	e->open_flags = flags;
	e->len = mode;
	e->file_index = slot;
	return ring_run(r);
}

static int open_mode(const char *path, int flags, int mode, int fixed)
{
	struct ring r;
	if (ring_init(&r) || (fixed && ring_sparse_files(&r, 1)))
		return -1;
	int res = uring_openat(&r, path, flags, mode, fixed ? 1 : 0);
	close(r.fd);
	if (res < 0)
		return fprintf(stderr, "io_uring openat %s: %s\n", path, strerror(-res)), -1;
	if (!fixed)
		close(res);
	printf("res=%d fixed=%d\n", res, fixed);
	return 0;
}

static const char msg[] = "uring: harmless\n";

// accept-stdin, fixed-install: the accepted connection ends up on fd 0.
static int accept_mode(int fixed)
{
	int port, l = loopback_listener(&port);
	struct ring r;
	if (l < 0 || ring_init(&r) || (fixed && ring_sparse_files(&r, 1)))
		return 1;
	pid_t c = loopback_client(port);
	printf("child=%d port=%d\n", c, port);
	fflush(stdout);
	close(0);
	struct io_uring_sqe *e = ring_sqe(&r);
	e->opcode = IORING_OP_ACCEPT;
	e->fd = l;
	e->file_index = fixed ? 1 : 0;
	int res = ring_run(&r);
	if (res < 0)
		return fprintf(stderr, "io_uring accept: %s\n", strerror(-res)), 1;
	if (fixed) {
		e = ring_sqe(&r);
		e->opcode = OP_FIXED_FD_INSTALL;
		e->fd = 0; // the fixed slot
		e->flags = IOSQE_FIXED_FILE;
		res = ring_run(&r);
		if (res < 0)
			return fprintf(stderr, "io_uring fixed fd install: %s\n", strerror(-res)), 1;
	}
	printf("fd=%d\n", res);
	fflush(stdout);
	if (res != 0)
		return fprintf(stderr, "the connection is fd %d, want 0\n", res), 1;
	if (write(0, msg, sizeof(msg) - 1) < 0)
		return perror("write"), 1;
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
	return 0;
}

enum { CONNECT_STDIN, CONNECT_OTHER, CONNECT_FIXED };

// connect-*: fd 0-2 hold an unconnected socket; io_uring connects it as fd
// 0, as its original fd, or as fixed file 0 registered from fd 0.
static int connect_mode(const char *host, const char *port, int how)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	socklen_t len;
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET, a4->sin_port = htons(atoi(port)), len = sizeof(*a4);
	} else if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6, a6->sin6_port = htons(atoi(port)), len = sizeof(*a6);
	} else {
		return fprintf(stderr, "bad host %s\n", host), 2;
	}
	struct ring r;
	if (ring_init(&r))
		return 1;
	int s = socket(ss.ss_family, SOCK_STREAM, 0);
	if (s < 0)
		return perror("socket"), 1;
	for (int fd = 0; fd <= 2; fd++)
		if (dup2(s, fd) != fd)
			return perror("dup2"), 1;
	if (how != CONNECT_OTHER)
		close(s);
	int zero = 0;
	if (how == CONNECT_FIXED && syscall(SYS_io_uring_register, r.fd, IORING_REGISTER_FILES, &zero, 1) < 0)
		return perror("IORING_REGISTER_FILES"), 1;
	struct io_uring_sqe *e = ring_sqe(&r);
	e->opcode = IORING_OP_CONNECT;
	e->fd = how == CONNECT_OTHER ? s : 0;
	if (how == CONNECT_FIXED)
		e->flags = IOSQE_FIXED_FILE;
	e->addr = (unsigned long)&ss;
	e->off = len; // addr2: the address length
	int res = ring_run(&r);
	if (res < 0)
		return fprintf(stderr, "io_uring connect: %s\n", strerror(-res)), 1;
	if (write(0, msg, sizeof(msg) - 1) < 0)
		return 1;
	fprintf(stderr, "res=%d\n", res);
	char *args[] = {"true", NULL};
	char *env[] = {"PATH=/usr/bin:/bin", NULL};
	execve("/bin/true", args, env);
	return 1;
}

// write-elf: an ELF header at offset 0 of three files, by three write opcodes.
static int write_mode(const char *base)
{
	static char elf[64] = "\x7f" "ELF\x02\x01\x01";
	struct ring r;
	if (ring_init(&r))
		return 1;
	struct iovec iov = {.iov_base = elf, .iov_len = sizeof(elf)};
	if (syscall(SYS_io_uring_register, r.fd, IORING_REGISTER_BUFFERS, &iov, 1) < 0)
		return perror("IORING_REGISTER_BUFFERS"), 1;
	static const struct {
		const char *suffix;
		int op;
	} ops[] = {{".write", IORING_OP_WRITE}, {".writev", IORING_OP_WRITEV}, {".fixed", IORING_OP_WRITE_FIXED}};
	for (int i = 0; i < 3; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s%s", base, ops[i].suffix);
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
		if (fd < 0)
			return perror(path), 1;
		struct io_uring_sqe *e = ring_sqe(&r);
		e->opcode = ops[i].op;
		e->fd = fd;
		e->off = 0;
		if (ops[i].op == IORING_OP_WRITEV) {
			e->addr = (unsigned long)&iov;
			e->len = 1;
		} else {
			e->addr = (unsigned long)elf;
			e->len = sizeof(elf);
		}
		int res = ring_run(&r);
		struct stat st;
		if (skip_cqe && fstat(fd, &st) == 0) // no completion: the file tells
			res = st.st_size;
		close(fd);
		if (res != sizeof(elf))
			return fprintf(stderr, "io_uring %s: %d\n", ops[i].suffix, res), 1;
		printf("%s=%d\n", ops[i].suffix + 1, res);
	}
	return 0;
}

// ftruncate: PATH emptied through io_uring (IORING_OP_FTRUNCATE: 55, sqe->off
// the length), no ftruncate syscall.
static int ftruncate_mode(const char *path)
{
	struct ring r;
	if (ring_init(&r))
		return 1;
	int fd = open(path, O_WRONLY);
	if (fd < 0)
		return perror(path), 1;
	struct io_uring_sqe *e = ring_sqe(&r);
	e->opcode = 55;
	e->fd = fd;
	e->off = 0;
	int res = ring_run(&r);
	struct stat st;
	if (skip_cqe && fstat(fd, &st) == 0) // no completion: the file tells
		res = st.st_size == 0 ? 0 : -1;
	close(fd);
	printf("res=%d\n", res);
	return res == 0 ? 0 : 1;
}

// unlink: DIR/NAME removed by IORING_OP_UNLINKAT relative to a dirfd.
static int unlink_mode(const char *dir, const char *name)
{
	struct ring r;
	if (ring_init(&r))
		return 1;
	int d = open(dir, O_RDONLY | O_DIRECTORY);
	if (d < 0)
		return perror(dir), 1;
	struct io_uring_sqe *e = ring_sqe(&r);
	e->opcode = IORING_OP_UNLINKAT;
	e->fd = d;
	e->addr = (unsigned long)name;
	int res = ring_run(&r);
	close(d);
	printf("res=%d\n", res);
	return res == 0 ? 0 : 1;
}

// benign: what an io_uring server and client do — fds 0-2 untouched: a
// loopback listener accepts (IORING_OP_ACCEPT, lands on a high fd) the
// connection a second socket makes (IORING_OP_CONNECT), a line goes
// across, and a text file is opened (onto an fd and into a fixed slot) and
// written from offset 0 (IORING_OP_WRITE).
static int benign_mode(const char *dir)
{
	int port, l = loopback_listener(&port);
	struct ring r;
	if (l < 0 || ring_init(&r) || ring_sparse_files(&r, 1))
		return 1;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	struct io_uring_sqe *e = ring_sqe(&r);
	e->opcode = IORING_OP_CONNECT;
	e->fd = c;
	e->addr = (unsigned long)&a;
	e->off = sizeof(a);
	if (c < 0 || ring_run(&r) < 0)
		return fprintf(stderr, "benign connect failed\n"), 1;
	e = ring_sqe(&r);
	e->opcode = IORING_OP_ACCEPT;
	e->fd = l;
	int s = ring_run(&r);
	if (s < 3)
		return fprintf(stderr, "benign accept: %d\n", s), 1;
	if (write(c, msg, sizeof(msg) - 1) < 0)
		return perror("write"), 1;
	char path[4096];
	snprintf(path, sizeof(path), "%s/notes.txt", dir);
	int fd = uring_openat(&r, path, O_WRONLY | O_CREAT | O_TRUNC, 0644, 0);
	if (fd < 0 || uring_openat(&r, path, O_RDONLY, 0, 1) < 0)
		return fprintf(stderr, "benign open failed\n"), 1;
	static const char text[] = "plain text\n";
	e = ring_sqe(&r);
	e->opcode = IORING_OP_WRITE;
	e->fd = fd;
	e->addr = (unsigned long)text;
	e->len = sizeof(text) - 1;
	if (ring_run(&r) != sizeof(text) - 1)
		return fprintf(stderr, "benign write failed\n"), 1;
	printf("accepted=%d connected=%d file=%d\n", s, c, fd);
	return 0;
}

#define PRELOAD_FILE "/etc/ld.so.preload"

// rename, link, symlink: an empty file (or a dangling symlink) put at
// /etc/ld.so.preload by IORING_OP_RENAMEAT (relative to an /etc dirfd),
// LINKAT or SYMLINKAT, and removed at once; only when there is none (the
// loader ignores an empty or dangling one).
static int replace_mode(const char *mode)
{
	struct stat st;
	if (lstat(PRELOAD_FILE, &st) == 0)
		return fprintf(stderr, "%s exists: not touching it\n", PRELOAD_FILE), 1;
	struct ring r;
	if (ring_init(&r))
		return 1;
	char tmp[64];
	snprintf(tmp, sizeof(tmp), "ld.so.preload.uring-%d", getpid());
	int etc = open("/etc", O_RDONLY | O_DIRECTORY);
	if (etc < 0)
		return perror("/etc"), 1;
	struct io_uring_sqe *e = ring_sqe(&r);
	e->fd = etc;
	if (!strcmp(mode, "symlink")) {
		e->opcode = IORING_OP_SYMLINKAT;
		e->addr = (unsigned long)"/nonexistent-ld.so.preload"; // the target
		e->addr2 = (unsigned long)"ld.so.preload";            // relative to /etc
	} else {
		int fd = openat(etc, tmp, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd < 0)
			return perror(tmp), 1;
		close(fd);
		e->opcode = !strcmp(mode, "rename") ? IORING_OP_RENAMEAT : IORING_OP_LINKAT;
		e->addr = (unsigned long)tmp;
		e->len = etc; // the new name's dirfd
		e->addr2 = (unsigned long)"ld.so.preload";
	}
	int res = ring_run(&r);
	if (strcmp(mode, "symlink") != 0)
		unlinkat(etc, tmp, 0);
	if (res < 0)
		return fprintf(stderr, "io_uring %s: %s\n", mode, strerror(-res)), 1;
	if (unlink(PRELOAD_FILE) < 0)
		return perror("unlink " PRELOAD_FILE), 1;
	printf("%s=0\n", mode);
	return 0;
}

int main(int argc, char **argv)
{
	static char mode[64];
	snprintf(mode, sizeof(mode), "%s", argc > 1 ? argv[1] : "");
	printf("pid=%d mode=%s\n", getpid(), mode);
	fflush(stdout);
	size_t n = strlen(mode);
	if (n > 5 && !strcmp(mode + n - 5, "-skip")) {
		mode[n - 5] = 0;
		skip_cqe = 1;
	} else if (n > 7 && !strcmp(mode + n - 7, "-sqpoll")) {
		mode[n - 7] = 0;
		sqpoll = 1;
	}
	if (!strcmp(mode, "preload") || !strcmp(mode, "fixed-preload")) {
		struct stat st;
		int existed = stat("/etc/ld.so.preload", &st) == 0;
		int rc = open_mode("/etc/ld.so.preload", O_WRONLY | O_CREAT | O_APPEND, 0644, mode[0] == 'f');
		if (!existed)
			unlink("/etc/ld.so.preload");
		printf("existed=%d\n", existed);
		return rc ? 1 : 0;
	}
	if (!strcmp(mode, "proc-mem") || !strcmp(mode, "fixed-proc-mem")) {
		pid_t c = fork();
		if (c == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			pause();
			_exit(0);
		}
		printf("child=%d\n", c);
		fflush(stdout);
		char path[64];
		snprintf(path, sizeof(path), "/proc/%d/mem", c);
		int rc = open_mode(path, O_RDWR, 0, mode[0] == 'f');
		kill(c, SIGKILL);
		waitpid(c, NULL, 0);
		return rc ? 1 : 0;
	}
	if (!strcmp(mode, "connect-stdin") && argc == 4)
		return connect_mode(argv[2], argv[3], CONNECT_STDIN);
	if (!strcmp(mode, "connect-other") && argc == 4)
		return connect_mode(argv[2], argv[3], CONNECT_OTHER);
	if (!strcmp(mode, "connect-fixed") && argc == 4)
		return connect_mode(argv[2], argv[3], CONNECT_FIXED);
	if (!strcmp(mode, "accept-stdin"))
		return accept_mode(0);
	if (!strcmp(mode, "fixed-install"))
		return accept_mode(1);
	if (!strcmp(mode, "write-elf") && argc == 3)
		return write_mode(argv[2]);
	if (!strcmp(mode, "unlink") && argc == 4)
		return unlink_mode(argv[2], argv[3]);
	if (!strcmp(mode, "ftruncate") && argc == 3)
		return ftruncate_mode(argv[2]);
	if (!strcmp(mode, "benign") && argc == 3)
		return benign_mode(argv[2]);
	if (!strcmp(mode, "rename") || !strcmp(mode, "link") || !strcmp(mode, "symlink"))
		return replace_mode(mode);
	fprintf(stderr, "usage: uring preload|proc-mem|fixed-preload|fixed-proc-mem|connect-stdin|connect-other|connect-fixed HOST PORT|"
			"accept-stdin|fixed-install|write-elf PATH|ftruncate PATH|unlink DIR NAME|benign DIR|rename|link|symlink\n");
	return 2;
}
