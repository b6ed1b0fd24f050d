// TRC-4: memory that is or becomes executable after being writable.
//   wx_mem mmap       anonymous mmap with PROT_WRITE|PROT_EXEC
//   wx_mem mprotect   mmap RW, then mprotect to RWX
//   wx_mem wx-to-x    mmap RWX, then mprotect to R-X
//   wx_mem flip       mmap RW, write code, mprotect to R-X (never W and X at once), run it
//   wx_mem read-implies-exec  personality(READ_IMPLIES_EXEC), then mmap PROT_READ (executable)
//   wx_mem shm-exec   shmget, shmat(SHM_EXEC) (removed at once)
//   wx_mem double-map a memfd mapped twice: MAP_SHARED RW (written) and R-X (run)
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/shm.h>
#include <unistd.h>

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
	} else if (strcmp(mode, "read-implies-exec") == 0) {
		if (personality(READ_IMPLIES_EXEC) < 0)
			return perror("personality"), 1;
		p = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	} else if (strcmp(mode, "double-map") == 0) {
		int fd = memfd_create("double", 0);
		if (fd < 0 || ftruncate(fd, len))
			return perror("memfd"), 1;
		char *w = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		p = mmap(NULL, len, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
		if (w == MAP_FAILED || p == MAP_FAILED)
			return perror("mmap"), 1;
		memset(w, 0xc3, 16); /* ret, written through the other mapping */
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
