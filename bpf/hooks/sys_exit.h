/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sys_exit: every syscall's event is built here, where its user memory has
 * been touched by the kernel (reads at sys_enter fail on pages not yet faulted
 * in) and its return value is known; then the events derived from it
 * (bpf/derived/). An i386 call is translated to its x86_64 event first
 * (lib/syscall.h). An unselected syscall costs one array lookup.
 */
#ifndef TRACEE_HOOK_SYS_EXIT_H
#define TRACEE_HOOK_SYS_EXIT_H

#include "../lib/common.h"
#include "../lib/hook.h"
#include "../lib/derive.h"
#include "../derived/derived_gen.h"

/*
 * The policies' data filters on the registers and the return value. Most
 * calls they refuse fail a condition every rule has (close: fd <= 2),
 * tested inline (df_need_holds); the rest build the full check's scratch.
 */
statfn int sys_exit_may_pass(struct sysc *sc, long ret)
{
	struct df_event *e = df_event_of(sc->nr);
	if (!e || e->always)
		return 1;
	if (!df_need_holds(e, sc->a, ret)) {
		stat_inc(STAT_DATA_FILTERED);
		return 0;
	}
	struct df_pre pre = {.event = sc->nr, .ret = ret, .use_ret = 1, .have = 0x3f};
	for (int i = 0; i < 6; i++)
		pre.vals[i] = sc->a[i];
	return tracee_may_pass(&pre);
}

/*
 * The syscall's own event, once its filters passed: a global function,
 * verified once (the argument encoders are most of the program). Returns
 * the header's state (derive_ctx.state): the header stays in the slot's
 * scratch record, and the events derived from the same exit share it
 * (their timestamp is the syscall's: TRC-4 counts an mmap and the
 * mem_prot_alert it caused as one finding by it).
 */
__noinline int tracee_emit_sys_exit(struct sysc *sc, long ret)
{
	struct derive_ctx dc = {
		.b = get_buf(SLOT_SYS_EXIT), .cfg = get_config(), .t = CURRENT_TASK, .sc = sc, .ret = ret,
	};
	if (!sc || !dc.b || !dc.cfg)
		return 0;
	if (!derive_header(&dc))
		return -1;
	buf_reset(dc.b);
	mark_compat(dc.b, sc);
	dc.b->ctx.retval = ret;
	encode_syscall_args(dc.b, SLOT_SYS_EXIT, sc);
	submit(dc.b, dc.cfg);
	return 1;
}

statfn int on_sys_exit(struct pt_regs *regs, long ret)
{
	/* The raw number first: a syscall with no work in either ABI (most of
	 * a host's) returns before the task is read. */
	u32 raw = RD(regs, orig_ax);
	u32 *sel = bpf_map_lookup_elem(&selected, &raw);
	if (!sel || !(*sel & (SEL_AT_SYS_EXIT | SEL_I386_AT_EXIT)))
		return 0;
	struct task_struct *t = CURRENT_TASK;
	struct sysc sc;
	if (!sysc_read(t, regs, &sc))
		return 0;
	u32 nr = sc.nr;
	if (sc.compat)
		sel = bpf_map_lookup_elem(&selected, &nr);
	if (!sel || !(*sel & SEL_AT_SYS_EXIT))
		return 0;
	u32 s = *sel;
	sysc_load64(&sc, regs);

	/* The policies' data filters on the registers and the return value
	 * first: a syscall they drop (a close of fd 7) costs no header and no
	 * argument reads; most fail df_event.need, tested inline. */
	int state = 0;
	if ((s & SEL_EMIT_EXIT) && !((s & SEL_FAILED_ONLY) && ret >= 0) && sys_exit_may_pass(&sc, ret))
		state = tracee_emit_sys_exit(&sc, ret);
	if (state < 0)
		return 0; /* out of scope */
	/* Derived events check their cheap preconditions before the header is
	 * built: an open of /dev/null stops there. */
	struct derive_ctx dc = {
		.b = get_buf(SLOT_SYS_EXIT), .cfg = get_config(), .t = t, .sc = &sc, .ret = ret, .state = state > 0,
	};
	if (dc.b && dc.cfg)
		derive_at_sys_exit(&dc, s);
	return 0;
}

TRACEE_HOOK(sys_exit, sys_exit, on_sys_exit(HOOK_ARG(struct pt_regs *, 0), HOOK_ARG(long, 1)))

#endif
