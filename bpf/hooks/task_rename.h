/* SPDX-License-Identifier: GPL-2.0 */
/*
 * task_rename: the kernel is about to change a task's comm (exec sets it to
 * the new program's name; prctl(PR_SET_NAME) and /proc/PID/comm too). The task
 * still carries the old name here, so it is kept by tid until
 * sched_process_exec reports it as prev_comm: the name the process had
 * before the exec (a forked child's is its parent's).
 */
#ifndef TRACEE_HOOK_TASK_RENAME_H
#define TRACEE_HOOK_TASK_RENAME_H

#include "../lib/common.h"
#include "../lib/hook.h"

#define COMM_LEN 16

struct comm_val {
	char comm[COMM_LEN];
};

/* tid -> name before its latest rename; LRU-bounded (a rename not followed by
 * an exec is simply forgotten). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, u32);
	__type(value, struct comm_val);
} prev_comm SEC(".maps");

statfn int on_task_rename(struct task_struct *t)
{
	struct comm_val v = {};
	u32 tid = RD(t, pid);
	bpf_probe_read_kernel_str(v.comm, sizeof(v.comm), &t->comm);
	bpf_map_update_elem(&prev_comm, &tid, &v, BPF_ANY);
	return 0;
}

/* prev_comm_take returns the name tid had before its exec, or NULL. The entry
 * is removed after the event is built (prev_comm_drop). */
statfn struct comm_val *prev_comm_take(u32 tid)
{
	return bpf_map_lookup_elem(&prev_comm, &tid);
}

statfn void prev_comm_drop(u32 tid)
{
	bpf_map_delete_elem(&prev_comm, &tid);
}

TRACEE_HOOK(task_rename, task_rename, on_task_rename(HOOK_ARG(struct task_struct *, 0)))

#endif
