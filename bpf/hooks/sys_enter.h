/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sys_enter: only for syscalls that do not return to their caller's image
 * (execve, execveat, exit, exit_group). Attached only when one of them is
 * selected. String reads here can fail on pages not yet faulted in; they are
 * counted, and the exec's own data comes complete from sched_process_exec.
 */
#ifndef TRACEE_HOOK_SYS_ENTER_H
#define TRACEE_HOOK_SYS_ENTER_H

#include "../lib/common.h"
#include "../lib/context.h"
#include "../lib/filter.h"
#include "../lib/submit.h"
#include "syscall_args.h"

statfn int on_sys_enter(struct pt_regs *regs, long nr)
{
	u32 id = nr;
	u32 *sel = bpf_map_lookup_elem(&selected, &id);
	if (!sel || !(*sel & SEL_EMIT_ENTRY))
		return 0;
	struct config *cfg = get_config();
	struct event_buf *b = get_buf(SLOT_SYS_ENTER);
	if (!cfg || !b)
		return 0;
	struct task_struct *t = CURRENT_TASK;
	fill_ctx(&b->ctx, t, id, id);
	if (!should_trace(cfg, &b->ctx))
		return 0;
	buf_reset(b);
	encode_syscall_args(b, SLOT_SYS_ENTER, regs, id);
	submit(b, cfg);
	return 0;
}

#ifndef TRACEE_PROBE_READ
SEC("tp_btf/sys_enter")
int BPF_PROG(tracee_sys_enter_btf, struct pt_regs *regs, long id)
{
	return on_sys_enter(regs, id);
}
#else
SEC("raw_tp/sys_enter")
int tracee_sys_enter_raw(struct bpf_raw_tracepoint_args *ctx)
{
	return on_sys_enter((struct pt_regs *)ctx->args[0], (long)ctx->args[1]);
}
#endif

#endif
