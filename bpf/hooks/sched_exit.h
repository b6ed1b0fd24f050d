/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sched_process_exit: exit code and whether the whole thread group is gone,
 * which also ends `follow`/`tree=` tracking of the process. Args: exit_code,
 * process_group_exit.
 */
#ifndef TRACEE_HOOK_SCHED_EXIT_H
#define TRACEE_HOOK_SCHED_EXIT_H

#include "../lib/common.h"
#include "../lib/context.h"
#include "../lib/filter.h"
#include "../lib/buffer.h"
#include "../lib/submit.h"
#include "../lib/unreturned.h"
#include "../lib/hook.h"

statfn int on_exit(struct task_struct *t)
{
	struct config *cfg = get_config();
	if (!cfg)
		return 0;
	bool group_dead = RD(t, signal, live.counter) == 0;
	struct event_buf *b = get_buf(SLOT_SCHED_PROCESS_EXIT);
	if (b)
		emit_exit_syscall(b, cfg, t);
	if (cfg->emit & EMIT_SCHED_PROCESS_EXIT) {
		if (b) {
			fill_ctx(&b->ctx, t, EVENT_SCHED_PROCESS_EXIT, -1);
			if (should_trace(cfg, &b->ctx)) {
				buf_reset(b);
				arg_u32(b, SCHED_PROCESS_EXIT__EXIT_CODE, RD(t, exit_code));
				arg_u8(b, SCHED_PROCESS_EXIT__PROCESS_GROUP_EXIT, group_dead);
				submit(b, cfg);
			}
		}
	}
	/* entries exist only under these filters (sched_fork.h, filter.h) */
	if (group_dead && (cfg->filter_flags & (F_FOLLOW | F_TREE | F_EXE_EQ | F_EXE_NE))) {
		u32 tgid = RD(t, tgid);
		if (cfg->filter_flags & (F_FOLLOW | F_TREE))
			bpf_map_delete_elem(&traced_procs, &tgid);
		if (cfg->filter_flags & (F_EXE_EQ | F_EXE_NE))
			bpf_map_delete_elem(&proc_exe, &tgid);
	}
	return 0;
}

TRACEE_HOOK(sched_process_exit, sched_exit, on_exit(HOOK_ARG(struct task_struct *, 0)))

#endif
