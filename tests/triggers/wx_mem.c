// TRC-4: memory that is or becomes executable after being writable.
//   wx_mem mmap       anonymous mmap with PROT_WRITE|PROT_EXEC
//   wx_mem mprotect   mmap RW, then mprotect to RWX
//   wx_mem wx-to-x    mmap RWX, then mprotect to R-X
//   wx_mem flip       mmap RW, write code, mprotect to R-X (never W and X at once), run it
//   wx_mem read-implies-exec  personality(READ_IMPLIES_EXEC), then mmap PROT_READ (executable)
//   wx_mem shm-exec   shmget, shmat(SHM_EXEC) (removed at once)
//   wx_mem double-map a memfd mapped twice: MAP_SHARED RW (written) and R-X (run)
//   wx_mem double-map-file  the same with a regular file (in /tmp, removed at once)
//   wx_mem double-map-shm   the same with a POSIX shm object (/dev/shm, removed at once)
//   wx_mem double-map-mprotect  a regular file mapped R-X, then a read-only
//                           shared mapping of it made RW by mprotect (written)
//   wx_mem shm-double SysV shm attached twice: writable (written) and SHM_EXEC read-only (run)
//   wx_mem mremap     mmap RW, write code, mremap it (MAYMOVE|FIXED) elsewhere, mprotect R-X there, run
//   wx_mem mremap-dontunmap  the same with MREMAP_MAYMOVE|MREMAP_DONTUNMAP
//   wx_mem mremap-alias  shared RW memory, write code, mremap(old_size 0) makes an alias,
//                     mprotect the alias R-X, run it (the original stays writable)
//   wx_mem heap       code written in the brk heap (never mapped by mmap), the page made R-X, run
//   wx_mem stack      code written on the stack, its page made R-X, run (then made RW again)
//   wx_mem readonly-flip  mmap RW, write code, mprotect R, then R-X, run (never W and X, nor W then X)
//   wx_mem clean-flip a page made RW, nothing written, then R-X (no code was written: benign);
//                     between two PROT_NONE pages, so that it joins no written mapping
//                     (the kernel keeps written-ness per mapping, not per page)
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/shm.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4
#endif

/* Maps fd twice, MAP_SHARED RW and R-X, writes a ret through the first and
 * runs it through the second. */
static void *double_map(int fd, size_t len)
{
	if (fd < 0 || ftruncate(fd, len))
		return perror("double-map"), MAP_FAILED;
	char *w = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	void *p = mmap(NULL, len, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
	if (w == MAP_FAILED || p == MAP_FAILED)
		return perror("mmap"), MAP_FAILED;
	memset(w, 0xc3, 16); /* ret, written through the other mapping */
	((void (*)(void))p)();
	return p;
}

/* The file mapped R-X first, then a read-only shared mapping of it that
 * mprotect makes writable: no mapping is ever W+E and no mmap asks for
 * shared-writable. */
static void *double_map_mprotect(int fd, size_t len)
{
	if (fd < 0 || ftruncate(fd, len))
		return perror("double-map-mprotect"), MAP_FAILED;
	void *p = mmap(NULL, len, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
	char *w = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	if (w == MAP_FAILED || p == MAP_FAILED)
		return perror("mmap"), MAP_FAILED;
	if (mprotect(w, len, PROT_READ | PROT_WRITE))
		return perror("mprotect"), MAP_FAILED;
	memset(w, 0xc3, 16); /* ret, written through the other mapping */
	((void (*)(void))p)();
	return p;
}

/* Writes a ret at the page-aligned p, makes that page R-X and runs it. */
static int run_flipped(char *p)
{
	memset(p, 0xc3, 16); /* ret */
	if (mprotect(p, 4096, PROT_READ | PROT_EXEC))
		return perror("mprotect"), 1;
	((void (*)(void))p)();
	return 0;
}

/* Code on this frame's stack: a buffer three pages long holds one whole page. */
static __attribute__((noinline)) int stack_flip(void)
{
	char buf[3 * 4096];
	char *p = (char *)(((uintptr_t)buf + 4095) & ~(uintptr_t)4095);
	int r = run_flipped(p);
	if (!r)
		mprotect(p, 4096, PROT_READ | PROT_WRITE);
	return r;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "mmap";
	size_t len = 4096;
	void *p;
	if (strcmp(mode, "mprotect") == 0) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		mprotect(p, len, PROT_READ | PROT_WRITE | PROT_EXEC);
	} else if (strcmp(mode, "flip") == 0) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		memset(p, 0xc3, 16); /* ret */
		if (p == MAP_FAILED || mprotect(p, len, PROT_READ | PROT_EXEC))
			return perror("flip"), 1;
		((void (*)(void))p)();
	} else if (strcmp(mode, "heap") == 0) {
		char *h = sbrk(3 * 4096);
		if (h == (void *)-1)
			return perror("sbrk"), 1;
		p = (char *)(((uintptr_t)h + 4095) & ~(uintptr_t)4095);
		if (run_flipped(p))
			return 1;
	} else if (strcmp(mode, "stack") == 0) {
		p = NULL;
		if (stack_flip())
			return 1;
	} else if (strcmp(mode, "readonly-flip") == 0) {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return perror("mmap"), 1;
		memset(p, 0xc3, 16); /* ret */
		if (mprotect(p, len, PROT_READ) || mprotect(p, len, PROT_READ | PROT_EXEC))
			return perror("readonly-flip"), 1;
		((void (*)(void))p)();
	} else if (strcmp(mode, "clean-flip") == 0) {
		char *r = mmap(NULL, 3 * len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		p = r + len;
		if (r == MAP_FAILED || mprotect(p, len, PROT_READ | PROT_WRITE) || mprotect(p, len, PROT_READ | PROT_EXEC))
			return perror("clean-flip"), 1;
	} else if (strcmp(mode, "read-implies-exec") == 0) {
		if (personality(READ_IMPLIES_EXEC) < 0)
			return perror("personality"), 1;
		p = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	} else if (strcmp(mode, "double-map") == 0) {
		p = double_map(memfd_create("double", 0), len);
	} else if (strcmp(mode, "double-map-file") == 0) {
		char name[] = "/tmp/wx_mem-XXXXXX";
		int fd = mkstemp(name);
		p = double_map(fd, len);
		if (fd >= 0)
			unlink(name);
	} else if (strcmp(mode, "double-map-mprotect") == 0) {
		char name[] = "/tmp/wx_mem-XXXXXX";
		int fd = mkstemp(name);
		p = double_map_mprotect(fd, len);
		if (fd >= 0)
			unlink(name);
	} else if (strcmp(mode, "double-map-shm") == 0) {
		char name[64];
		snprintf(name, sizeof(name), "/wx_mem-%d", getpid());
		int fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
		p = double_map(fd, len);
		if (fd >= 0)
			shm_unlink(name);
	} else if (strcmp(mode, "shm-double") == 0) {
		int id = shmget(IPC_PRIVATE, len, IPC_CREAT | 0600);
		if (id < 0)
			return perror("shmget"), 1;
		char *w = shmat(id, NULL, 0);
		p = shmat(id, NULL, SHM_EXEC | SHM_RDONLY);
		shmctl(id, IPC_RMID, NULL);
		if (w == (void *)-1 || p == (void *)-1)
			return perror("shmat"), 1;
		memset(w, 0xc3, 16); /* ret, written through the writable attach */
		((void (*)(void))p)();
	} else if (strncmp(mode, "mremap", 6) == 0) {
		char *old = mmap(NULL, len, PROT_READ | PROT_WRITE,
				 MAP_SHARED * (strcmp(mode, "mremap-alias") == 0) | MAP_PRIVATE * (strcmp(mode, "mremap-alias") != 0) |
					 MAP_ANONYMOUS,
				 -1, 0);
		if (old == MAP_FAILED)
			return perror("mmap"), 1;
		memset(old, 0xc3, 16); /* ret, written while writable */
		if (strcmp(mode, "mremap-alias") == 0) {
			p = mremap(old, 0, len, MREMAP_MAYMOVE);
		} else if (strcmp(mode, "mremap-dontunmap") == 0) {
			p = mremap(old, len, len, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, NULL);
		} else {
			/* a destination reserved first, then moved onto */
			void *dst = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			p = mremap(old, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
		}
		if (p == MAP_FAILED || mprotect(p, len, PROT_READ | PROT_EXEC))
			return perror(mode), 1;
		((void (*)(void))p)();
	} else if (strcmp(mode, "shm-exec") == 0) {
		int id = shmget(IPC_PRIVATE, len, IPC_CREAT | 0600);
		if (id < 0)
			return perror("shmget"), 1;
		p = shmat(id, NULL, SHM_EXEC);
		shmctl(id, IPC_RMID, NULL);
		if (p == (void *)-1)
			return perror("shmat"), 1;
		shmdt(p);
	} else {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (strcmp(mode, "wx-to-x") == 0) {
			memset(p, 0xc3, 16); /* ret */
			mprotect(p, len, PROT_READ | PROT_EXEC);
		}
	}
	printf("pid=%d mode=%s addr=%p\n", getpid(), mode, p);
	return p == MAP_FAILED;
}
