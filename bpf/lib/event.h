/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The raw record layout and the configuration, shared with tracee-ebpf
 * through bpf2go -type (tracee-ebpf/internal/abi: RecordHeader, Config; a
 * test checks the Go view against this object's BTF). The constants (REC_,
 * SEL_, EMIT_, F_, FILTER_, STAT_, SLOT_) are generated into events_gen.h
 * from tracee-ebpf/pkg/events/schema/abi.yaml.
 */
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
	u16 flags;      /* REC_* (events_gen.h) */
	char comm[TASK_COMM_LEN];
	char uts[TASK_COMM_LEN];
	/*
	 * Bit i: policy i's scope holds for the task (filter.h) and, once the
	 * record is admitted (submit.h), policy i selects the event and its data
	 * filters pass. All ones for a hook that applies no scope.
	 */
	u64 policies;
};

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

/* Argument indexes the data filters can see (arguments 0-5 and 6-7 of kernel events). */
#define DF_ARGS 8

struct event_buf {
	struct event_ctx ctx;
	u8 args[ARGS_HALF * 3]; /* slack beyond 2*ARGS_HALF keeps masked appends in bounds */
	u32 off; /* bytes used in args */
	/*
	 * What the data filters (datafilter.h) test, kept while the record is
	 * built, never sent: each integer argument's raw value, each string's
	 * place in args, and which argument indexes are present.
	 */
	u32 have;
	u64 vals[DF_ARGS];
	u32 soff[DF_ARGS];
	u32 slen[DF_ARGS];
};

#define PATH_HALF 4096
#define MAX_PATH_COMPONENTS 64

struct path_buf {
	char buf[PATH_HALF * 2];
};

/* Up to 64 policies, one bit each in every scope bitmap. */
#define MAX_POLICIES 64
#define MAX_FILTER_FLAGS 32

/* A policy's uid and pid bounds, inclusive (uid<N is uid_hi = N-1). */
struct scope_range {
	u64 uid_lo, uid_hi;
	u64 pid_lo, pid_hi;
};

struct config {
	u32 tracee_pid;      /* our own tgid: never traced */
	u32 filter_flags;    /* F_*: the scope filters some policy has */
	u64 policies;        /* bit i: policy i is loaded */
	u64 start_time;      /* CLOCK_MONOTONIC ns when tracing began (pid=new) */
	u32 host_mntns;
	u32 emit;            /* EMIT_*: which events of the sched hooks to send */
	u64 wakeup_bytes;    /* wake the reader only when this much is pending */
	u32 exec_args_max;   /* argv/env bytes kept per exec (bigargs.h); <= MAX_ARR_BLOB: normal records */
	u32 budget;          /* events per second a process may send (0: no limit); see budget.h */
	u64 reserve_at;      /* pending ring bytes past which only priority events go (0: off); see submit.h */
	/* per F_ bit (index: the bit's number), the policies that have the filter */
	u64 filter_policies[MAX_FILTER_FLAGS];
	struct scope_range ranges[MAX_POLICIES]; /* per policy, for F_UID_LT/GT, F_PID_LT/GT */
};

#endif
