/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sched_process_fork: propagates `follow`/`tree=` to new processes, and
 * emits parent/child ids (host and namespace). Args: parent_tid,
 * parent_ns_tid, parent_pid, parent_ns_pid, child_tid, child_ns_tid,
 * child_pid, child_ns_pid.
 */
#ifndef TRACEE_HOOK_SCHED_FORK_H
#define TRACEE_HOOK_SCHED_FORK_H

#include "../lib/common.h"
#include "../lib/context.h"
#include "../lib/filter.h"
#include "../lib/buffer.h"
#include "../lib/submit.h"
#include "../lib/hook.h"

statfn int on_fork(struct task_struct *parent, struct task_struct *child)
{
	struct config *cfg = get_config();
	if (!cfg)
		return 0;
	u32 ptgid = RD(parent, tgid);
	u32 ctgid = RD(child, tgid);
	/* a new process is followed by the policies that follow its parent */
	if ((cfg->filter_flags & (F_FOLLOW | F_TREE)) && ptgid != ctgid) {
		u64 *followed = bpf_map_lookup_elem(&traced_procs, &ptgid);
		if (followed)
			bpf_map_update_elem(&traced_procs, &ctgid, followed, BPF_ANY);
		else
			bpf_map_delete_elem(&traced_procs, &ctgid); /* a stale entry of a reused pid */
	}
	/* a new process runs its parent's file until it execs */
	if ((cfg->filter_flags & (F_EXE_EQ | F_EXE_NE)) && ptgid != ctgid) {
		struct file_id *id = bpf_map_lookup_elem(&proc_exe, &ptgid);
		if (id)
			bpf_map_update_elem(&proc_exe, &ctgid, id, BPF_ANY);
		else
			bpf_map_delete_elem(&proc_exe, &ctgid); /* a stale entry of a reused pid */
	}
	if (!(cfg->emit & EMIT_SCHED_PROCESS_FORK))
		return 0;
	struct event_buf *b = get_buf(SLOT_SCHED_PROCESS_FORK);
	if (!b)
		return 0;
	fill_ctx(&b->ctx, parent, EVENT_SCHED_PROCESS_FORK, -1);
	if (!should_trace(cfg, &b->ctx))
		return 0;
	buf_reset(b);
	arg_u32(b, SCHED_PROCESS_FORK__PARENT_TID, RD(parent, pid));
	arg_u32(b, SCHED_PROCESS_FORK__PARENT_NS_TID, task_ns_nr(parent));
	arg_u32(b, SCHED_PROCESS_FORK__PARENT_PID, ptgid);
	arg_u32(b, SCHED_PROCESS_FORK__PARENT_NS_PID, task_ns_tgid(parent));
	arg_u32(b, SCHED_PROCESS_FORK__CHILD_TID, RD(child, pid));
	arg_u32(b, SCHED_PROCESS_FORK__CHILD_NS_TID, task_ns_nr(child));
	arg_u32(b, SCHED_PROCESS_FORK__CHILD_PID, ctgid);
	arg_u32(b, SCHED_PROCESS_FORK__CHILD_NS_PID, task_ns_tgid(child));
	submit(b, cfg);
	return 0;
}

TRACEE_HOOK(sched_process_fork, sched_fork,
	    on_fork(HOOK_ARG(struct task_struct *, 0), HOOK_ARG(struct task_struct *, 1)))

#endif
