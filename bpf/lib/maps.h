/* SPDX-License-Identifier: GPL-2.0 */
/* Maps shared by every hook. Sizes are bounded; user space may resize the ring buffer. */
#ifndef TRACEE_MAPS_H
#define TRACEE_MAPS_H

#include "kernel_types.h"
#include <bpf/bpf_helpers.h>
#include "events_gen.h"
#include "event.h"

/* Events to user space. Size set by the loader (--perf-buffer-size style option). */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20);
} events SEC(".maps");

/* Per-syscall selection: SEL_* bits, indexed by syscall number. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_SYSCALL_ID);
	__type(key, u32);
	__type(value, u32);
} selected SEC(".maps");

/* How to encode each syscall's six arguments, indexed by syscall number. */
struct syscall_arg_kinds {
	u8 kinds[6];
	u8 fixed_only; /* every argument is an integer or pointer: no memory to read */
	u8 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_SYSCALL_ID);
	__type(key, u32);
	__type(value, struct syscall_arg_kinds);
} syscall_args SEC(".maps");

/* Global configuration, written once by the loader before attaching. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct config);
} config_map SEC(".maps");

/* Per-CPU counters (STAT_*), summed by user space. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, STAT_MAX);
	__type(key, u32);
	__type(value, u64);
} stats SEC(".maps");

/*
 * Scratch space for building a record, one slot per hook and CPU (key
 * cpu * SLOT_MAX + slot; the loader sizes it to the possible CPUs): a program
 * is never re-entered on the same CPU (the kernel skips and counts recursion),
 * but two different hooks can interleave when a tracing program is preempted.
 * A plain array because per-CPU values are limited to 32 KiB.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SLOT_MAX * 64);
	__type(key, u32);
	__type(value, struct event_buf);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SLOT_MAX);
	__type(key, u32);
	__type(value, struct path_buf);
} path_scratch SEC(".maps");

/*
 * Scope filter maps: for a key (a uid, a comm, ...), the policies whose
 * scope says key= (eq) and key!= (ne) it, one bit per policy (filter.h).
 */
struct scope_bits {
	u64 eq;
	u64 ne;
};

#define FILTER_MAP_U32(name)                          \
	struct {                                      \
		__uint(type, BPF_MAP_TYPE_HASH);      \
		__uint(max_entries, 1024);            \
		__type(key, u32);                     \
		__type(value, struct scope_bits);     \
	} name SEC(".maps")

FILTER_MAP_U32(uid_filter);
FILTER_MAP_U32(pid_filter);
FILTER_MAP_U32(mntns_filter);
FILTER_MAP_U32(pidns_filter);

struct str16 {
	char s[16];
};

/* A UTS nodename, whole (up to 64 bytes; the record header keeps only 16). */
struct str64 {
	char s[64];
};

#define FILTER_MAP_STR(name, keytype)                 \
	struct {                                      \
		__uint(type, BPF_MAP_TYPE_HASH);      \
		__uint(max_entries, 256);             \
		__type(key, struct keytype);          \
		__type(value, struct scope_bits);     \
	} name SEC(".maps")

FILTER_MAP_STR(comm_filter, str16);
FILTER_MAP_STR(uts_filter, str64);

/*
 * Watched directories by identity (the loader stats them at start): a file
 * created, opened or linked in one is reported with the directory's
 * canonical path, whatever mount or name reached it (bind mounts, a second
 * mount of the file system, /proc/PID/root/...).
 */
struct dir_id {
	u32 dev; /* the kernel's s_dev */
	u32 pad;
	u64 ino;
};

struct dir_name {
	char path[64];
	/* the security_file_open watched_dir patterns path matches, set with
	 * the data filters: the early check of an open in the directory needs
	 * no string lookup (security_file_open.h) */
	u64 open_hits;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct dir_id);
	__type(value, struct dir_name);
} watched_dirs SEC(".maps");

/*
 * A file by identity: the kernel's device number (s_dev, MKDEV encoding)
 * and inode number, whatever path or link names it.
 */
struct file_id {
	u32 dev;
	u32 pad;
	u64 ino;
};

/*
 * executable= / executable!= (scope_bits): the loader stats the
 * given paths at start (symlinks resolved), so hard links, symlinks and bind
 * mounts of a file all match it, and a copy does not.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct file_id);
	__type(value, struct scope_bits);
} exe_filter SEC(".maps");

/*
 * The file each process (tgid) runs, recorded at sched_process_exec from the
 * file the kernel executed and inherited at fork, while an executable filter
 * is active. A process not in it (it started before tracing, or the LRU
 * dropped it) is read from mm->exe_file once and added. Recorded rather than
 * read from exe_file each time, so that prctl(PR_SET_MM_EXE_FILE) cannot
 * change what a process is known to run.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, u32);
	__type(value, struct file_id);
} proc_exe SEC(".maps");

/*
 * Processes (tgid) followed by `follow` or `tree=`, with the policies that
 * follow them (one bit each); children inherit them at fork.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, u32);
	__type(value, u64);
} traced_procs SEC(".maps");

#endif
