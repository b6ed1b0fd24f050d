// TRC-2: a process that asks to be traced by its parent (a classic anti-debugging trick).
#include <stdio.h>
#include <sys/ptrace.h>
#include <unistd.h>

int main(void)
{
	long r = ptrace(PTRACE_TRACEME, 0, 0, 0);
	printf("pid=%d ptrace_traceme=%ld\n", getpid(), r);
	return 0;
}
