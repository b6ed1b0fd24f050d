/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Syscalls that do not return to their caller's image, emitted without a
 * sys_enter hook: a successful execve/execveat from sched_process_exec
 * (pathname from bprm, argv and envp from the new mm, which is always
 * mapped: no reads of not-yet-faulted user pages), and exit/exit_group from
 * sched_process_exit. A failed execve returns and is emitted at sys_exit.
 * The syscall number is the task's orig_ax.
 */
#ifndef TRACEE_HOOK_UNRETURNED_H
#define TRACEE_HOOK_UNRETURNED_H

#include "common.h"
#include "context.h"
#include "filter.h"
#include "buffer.h"
#include "submit.h"
#include "bigargs.h"
#include "syscall.h"
#include <asm/unistd_64.h>

/*
 * The current task's user registers. Both hooks run in the task itself, and
 * bpf_task_pt_regs needs a BTF task pointer, which the raw_tracepoint build
 * only has through bpf_get_current_task_btf.
 */
statfn struct pt_regs *current_regs(void)
{
	return (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
}

/* The syscall the current task t is in, translated from i386 (lib/syscall.h). */
statfn bool task_syscall(struct task_struct *t, struct sysc *sc)
{
	struct pt_regs *regs = current_regs();
	sc->nr = RD(regs, orig_ax);
	sc->loaded = false;
	sc->compat = RD(AS_BTF(t, struct task_struct), thread_info.status) & TS_COMPAT;
	if (!sc->compat)
		return true;
	return compat_translate(regs, sc);
}

/* The selection bits of the syscall t is in, if it has `bit`. */
statfn bool unreturned_selected(u32 nr, u32 bit, struct syscall_arg_kinds **sa)
{
	u32 *sel = bpf_map_lookup_elem(&selected, &nr);
	if (!sel || !(*sel & bit))
		return false;
	*sa = bpf_map_lookup_elem(&syscall_args, &nr);
	return *sa != NULL;
}

statfn void arg_mm_blob(struct event_buf *b, u8 idx, unsigned long start, unsigned long end)
{
	u32 len = 0;
	if (end > start)
		len = end - start > MAX_ARR_BLOB ? MAX_ARR_BLOB : end - start;
	if (end > start && end - start > MAX_ARR_BLOB)
		mark_truncated(b);
	arg_bytes(b, idx, (const void *)start, len, true);
}

/* execve(pathname, argv, envp) / execveat(dirfd, pathname, argv, envp, flags) */
statfn void emit_exec_syscall(struct event_buf *b, struct config *cfg, struct task_struct *t,
			      struct linux_binprm *bprm)
{
	struct sysc sc;
	struct syscall_arg_kinds *sa;
	/* most policies select neither: two lookups, no register reads */
	u32 ev = __NR_execve, eva = __NR_execveat;
	u32 *s1 = bpf_map_lookup_elem(&selected, &ev), *s2 = bpf_map_lookup_elem(&selected, &eva);
	if (!(s1 && (*s1 & SEL_FROM_EXEC)) && !(s2 && (*s2 & SEL_FROM_EXEC)))
		return;
	if (!task_syscall(t, &sc))
		return;
	u32 nr = sc.nr;
	if ((nr != __NR_execve && nr != __NR_execveat) || !unreturned_selected(nr, SEL_FROM_EXEC, &sa))
		return;
	u8 path = EXECVE__PATHNAME, argv = EXECVE__ARGV, envp = EXECVE__ENVP;
	if (nr == __NR_execveat)
		path = EXECVEAT__PATHNAME, argv = EXECVEAT__ARGV, envp = EXECVEAT__ENVP;
	fill_ctx(&b->ctx, t, nr, nr);
	if (!should_trace(cfg, &b->ctx))
		return;
	buf_reset(b);
	mark_compat(b, &sc);
	struct mm_struct *mm = RD(AS_BTF(t, struct task_struct), mm);
	arg_str(b, path, RD(AS_BTF(bprm, struct linux_binprm), filename), false);
	struct mm_blob blobs[2] = {
		{RD(mm, arg_start), RD(mm, arg_end), argv},
		{RD(mm, env_start), RD(mm, env_end), envp},
	};
	/* envp only when asked for (option:exec-env sets its kind) */
	u32 n = sa->kinds[envp & 7] != ARG_NONE ? 2 : 1;
	if (submit_with_blobs(b, cfg, blobs, n))
		return;
	arg_mm_blob(b, argv, blobs[0].start, blobs[0].end);
	if (n == 2)
		arg_mm_blob(b, envp, blobs[1].start, blobs[1].end);
	submit(b, cfg);
}

/* exit(status) / exit_group(status) */
statfn void emit_exit_syscall(struct event_buf *b, struct config *cfg, struct task_struct *t)
{
	struct sysc sc;
	struct syscall_arg_kinds *sa;
	if (!task_syscall(t, &sc))
		return;
	u32 nr = sc.nr;
	if ((nr != __NR_exit && nr != __NR_exit_group) || !unreturned_selected(nr, SEL_FROM_EXIT, &sa))
		return;
	fill_ctx(&b->ctx, t, nr, nr);
	if (!should_trace(cfg, &b->ctx))
		return;
	buf_reset(b);
	mark_compat(b, &sc);
	if (!sc.compat)
		sc.a[0] = BPF_CORE_READ(current_regs(), di);
	arg_u32(b, EXIT__STATUS, (u32)sc.a[0]); /* EXIT_GROUP__STATUS is the same index */
	submit(b, cfg);
}

#endif
