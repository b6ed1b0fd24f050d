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
 * verified once (the argument encoders are most of the program). The
 * header it builds is not handed back: a derivation of the same exit, rare
 * when both are filtered, builds its own.
 */
__noinline int tracee_emit_sys_exit(struct sysc *sc, long ret)
{
	struct derive_ctx dc = {
		.b = get_buf(SLOT_SYS_EXIT), .cfg = get_config(), .t = CURRENT_TASK, .sc = sc, .ret = ret,
	};
	if (!sc || !dc.b || !dc.cfg || !derive_header(&dc))
		return 0;
	buf_reset(dc.b);
	mark_compat(dc.b, sc);
	dc.b->ctx.retval = ret;
	encode_syscall_args(dc.b, SLOT_SYS_EXIT, sc);
	submit(dc.b, dc.cfg);
	return 0;
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
	 * first: a syscall they drop (a close of fd 7) costs no header, no
	 * argument reads and no scratch lookup. */
	if ((s & SEL_EMIT_EXIT) && !((s & SEL_FAILED_ONLY) && ret >= 0) && sys_exit_may_pass(&sc, ret))
		tracee_emit_sys_exit(&sc, ret);
	/* Derived events check their cheap preconditions before the header is
	 * built: an open of /dev/null stops there. */
	struct derive_ctx dc = {.b = get_buf(SLOT_SYS_EXIT), .cfg = get_config(), .t = t, .sc = &sc, .ret = ret};
	if (dc.b && dc.cfg)
		derive_at_sys_exit(&dc, s);
	return 0;
}

#ifdef VARIANT_PROF
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1024);
	__type(key, u32);
	__type(value, u64);
} prof SEC(".maps");
statfn int prof_sys_exit(struct pt_regs *regs, long ret)
{
	u64 t0 = bpf_ktime_get_ns();
	on_sys_exit(regs, ret);
	u64 d = bpf_ktime_get_ns() - t0;
	u32 k = (u32)BPF_CORE_READ(regs, orig_ax);
	if (k < 512) {
		u64 *v = bpf_map_lookup_elem(&prof, &k);
		if (v)
			*v += d;
		k += 512;
		v = bpf_map_lookup_elem(&prof, &k);
		if (v)
			*v += 1;
	}
	return 0;
}
TRACEE_HOOK(sys_exit, sys_exit, prof_sys_exit(HOOK_ARG(struct pt_regs *, 0), HOOK_ARG(long, 1)))
#else
TRACEE_HOOK(sys_exit, sys_exit, on_sys_exit(HOOK_ARG(struct pt_regs *, 0), HOOK_ARG(long, 1)))
#endif

#endif
