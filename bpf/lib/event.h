/* SPDX-License-Identifier: GPL-2.0 */
/* The raw record layout shared with tracee-ebpf/internal/decode. Keep in sync with decode/record.go. */
#ifndef TRACEE_EVENT_H
#define TRACEE_EVENT_H

#include "kernel_types.h"

#define TASK_COMM_LEN 16

/* Fixed header of every record, little endian, no implicit padding. */
struct event_ctx {
	u64 ts;         /* bpf_ktime_get_boot_ns */
	u64 cgroup_id;
	u64 start_time; /* thread-group leader's start, CLOCK_MONOTONIC ns: process identity with the pid */
	s64 retval;
	u32 host_pid;
	u32 host_tid;
	u32 host_ppid;
	u32 pid;        /* in the task's pid namespace */
	u32 tid;
	u32 ppid;
	u32 uid;
	u32 gid;
	u32 mntns;
	u32 pidns;
	s32 event_id;
	s32 syscall;
	u32 cpu;
	u16 argnum;
	u16 flags;      /* REC_* */
	char comm[TASK_COMM_LEN];
	char uts[TASK_COMM_LEN];
};

/* Record flags. */
#define REC_READ_FAILED (1 << 0) /* at least one argument could not be read */
#define REC_TRUNCATED (1 << 1)   /* argument space ran out; later arguments missing */
#define REC_WIDE_ARGS (1 << 2)   /* fixed-size arguments are stored as 8 bytes each */
#define REC_COMPAT (1 << 3)      /* made by 32-bit code (i386 ABI), reported as its x86_64 event */

/*
 * Argument area: half of it is the most an append may start at, so masked
 * offsets plus a bounded length always stay inside the buffer (verifier).
 */
#define ARGS_HALF 16384
#define ARGS_MASK (ARGS_HALF - 1)
#define MAX_STR 4096
#define MAX_STR_MASK (MAX_STR - 1)
#define MAX_ARR_BLOB 8192
#define MAX_ARR_ELEMS 64

struct event_buf {
	struct event_ctx ctx;
	u8 args[ARGS_HALF * 3]; /* slack beyond 2*ARGS_HALF keeps masked appends in bounds */
	u32 off; /* bytes used in args */
};

#define PATH_HALF 4096
#define MAX_PATH_COMPONENTS 64

struct path_buf {
	char buf[PATH_HALF * 2];
};

/* Scratch slots, one per hook. */
enum slot {
	SLOT_SYS_EXIT,
	SLOT_EXEC,
	SLOT_FORK,
	SLOT_EXIT,
	SLOT_MAX,
};

/* Selection bits in the `selected` map. */
#define SEL_EMIT_EXIT (1 << 0)   /* emit the syscall event at sys_exit */
#define SEL_FAILED_ONLY (1 << 1) /* ... only when it failed (execve: success is seen at sched_process_exec) */
#define SEL_FILE_OPEN (1 << 2)  /* derive security_file_open at sys_exit */
#define SEL_SOCKET_DUP (1 << 3) /* derive socket_dup at sys_exit */
#define SEL_MAGIC_WRITE (1 << 4) /* derive magic_write at sys_exit */
#define SEL_FROM_EXEC (1 << 5)   /* emit a successful execve/execveat from sched_process_exec */
#define SEL_FROM_EXIT (1 << 6)   /* emit exit/exit_group from sched_process_exit (they never return) */
#define SEL_INODE_LINK (1 << 7)    /* derive security_inode_link at sys_exit */
#define SEL_INODE_SYMLINK (1 << 8) /* derive security_inode_symlink at sys_exit */

/* Counters in the `stats` map. */
enum stat {
	STAT_LOST,          /* ring buffer full: event dropped */
	STAT_READ_FAILED,   /* a user or kernel memory read failed */
	STAT_TRUNCATED,     /* an event ran out of argument space */
	STAT_FILTERED,      /* selected events dropped by in-kernel filters */
	STAT_MAX,
};

/* filter_flags bits in struct config. */
#define F_UID_EQ (1 << 0)
#define F_UID_NE (1 << 1)
#define F_PID_EQ (1 << 2)
#define F_PID_NE (1 << 3)
#define F_MNTNS_EQ (1 << 4)
#define F_MNTNS_NE (1 << 5)
#define F_PIDNS_EQ (1 << 6)
#define F_PIDNS_NE (1 << 7)
#define F_COMM_EQ (1 << 8)
#define F_COMM_NE (1 << 9)
#define F_UTS_EQ (1 << 10)
#define F_UTS_NE (1 << 11)
#define F_UID_LT (1 << 12)
#define F_UID_GT (1 << 13)
#define F_PID_LT (1 << 14)
#define F_PID_GT (1 << 15)
#define F_CONTAINER (1 << 16)     /* only tasks outside the host mount namespace */
#define F_NOT_CONTAINER (1 << 17) /* only tasks in the host mount namespace */
#define F_NEW_PID (1 << 18)       /* only processes started after tracing began */
#define F_FOLLOW (1 << 19)        /* matching processes' descendants pass too */
#define F_TREE (1 << 20)          /* only processes in traced_procs */

#define FILTER_EQ 1
#define FILTER_NE 2

/* Option bits in struct config. */
#define OPT_EXEC_ENV (1 << 0) /* capture envp of execve/execveat */

struct config {
	u32 tracee_pid;      /* our own tgid: never traced */
	u32 filter_flags;
	u64 uid_lt, uid_gt;  /* uid < uid_lt, uid > uid_gt */
	u64 pid_lt, pid_gt;
	u64 start_time;      /* CLOCK_MONOTONIC ns when tracing began (pid=new) */
	u32 host_mntns;
	u32 options;
	u64 wakeup_bytes;    /* wake the reader only when this much is pending */
	u32 emit;            /* EMIT_*: which non-syscall kernel events to send */
	u32 exec_args_max;   /* argv/env bytes kept per exec (bigargs.h); <= MAX_ARR_BLOB: normal records */
};

#define EMIT_FORK (1 << 0)
#define EMIT_EXEC (1 << 1)
#define EMIT_EXIT (1 << 2)

#endif
