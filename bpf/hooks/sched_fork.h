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

statfn int on_fork(struct task_struct *parent, struct task_struct *child)
{
	struct config *cfg = get_config();
	if (!cfg)
		return 0;
	u32 ptgid = BPF_CORE_READ(parent, tgid);
	u32 ctgid = BPF_CORE_READ(child, tgid);
	if ((cfg->filter_flags & (F_FOLLOW | F_TREE)) && ptgid != ctgid &&
	    bpf_map_lookup_elem(&traced_procs, &ptgid)) {
		u8 one = 1;
		bpf_map_update_elem(&traced_procs, &ctgid, &one, BPF_ANY);
	}
	if (!(cfg->emit & EMIT_FORK))
		return 0;
	struct event_buf *b = get_buf(SLOT_FORK);
	if (!b)
		return 0;
	fill_ctx(&b->ctx, parent, EVENT_SCHED_PROCESS_FORK, -1);
	if (!should_trace(cfg, &b->ctx))
		return 0;
	buf_reset(b);
	arg_u32(b, 0, BPF_CORE_READ(parent, pid));
	arg_u32(b, 1, task_ns_nr(parent));
	arg_u32(b, 2, ptgid);
	arg_u32(b, 3, task_ns_tgid(parent));
	arg_u32(b, 4, BPF_CORE_READ(child, pid));
	arg_u32(b, 5, task_ns_nr(child));
	arg_u32(b, 6, ctgid);
	arg_u32(b, 7, task_ns_tgid(child));
	submit(b, cfg);
	return 0;
}

#ifndef TRACEE_PROBE_READ
SEC("tp_btf/sched_process_fork")
int BPF_PROG(tracee_sched_fork_btf, struct task_struct *parent, struct task_struct *child)
{
	return on_fork(parent, child);
}
#else
SEC("raw_tp/sched_process_fork")
int tracee_sched_fork_raw(struct bpf_raw_tracepoint_args *ctx)
{
	return on_fork((struct task_struct *)ctx->args[0], (struct task_struct *)ctx->args[1]);
}
#endif

#endif
