/* SPDX-License-Identifier: GPL-2.0 */
#define SEL_AT_SYS_EXIT (SEL_EMIT_EXIT | SEL_FILE_OPEN | SEL_SOCKET_DUP | SEL_MAGIC_WRITE | SEL_INODE_LINK | SEL_INODE_SYMLINK)

/*
 * sys_exit: every syscall's event is built here, where its user memory has
 * been touched by the kernel (reads at sys_enter fail on pages not yet faulted
 * in) and its return value is known. An unselected syscall costs one array
 * lookup.
 */
#ifndef TRACEE_HOOK_SYS_EXIT_H
#define TRACEE_HOOK_SYS_EXIT_H

#include "../lib/common.h"
#include "../lib/context.h"
#include "../lib/filter.h"
#include "../lib/submit.h"
#include "../lib/syscall_args.h"
#include "../derived/security_file_open.h"
#include "../derived/socket_dup.h"
#include "../derived/magic_write.h"
#include "../derived/inode_link.h"

/* Fill the header and apply the scope filters once per sys_exit, on demand. */
statfn bool ctx_once(struct event_buf *b, struct config *cfg, struct task_struct *t, u32 nr, int *state)
{
	if (*state == 0) {
		fill_ctx(&b->ctx, t, nr, nr);
		*state = should_trace(cfg, &b->ctx) ? 1 : -1;
	}
	return *state > 0;
}

statfn int on_sys_exit(struct pt_regs *regs, long ret)
{
	struct task_struct *t = CURRENT_TASK;
	struct sysc sc;
	if (!sysc_read(t, regs, &sc))
		return 0;
	u32 nr = sc.nr;
	u32 *sel = bpf_map_lookup_elem(&selected, &nr);
	if (!sel || !(*sel & SEL_AT_SYS_EXIT))
		return 0;
	u32 s = *sel;

	struct config *cfg = get_config();
	struct event_buf *b = get_buf(SLOT_SYS_EXIT);
	if (!cfg || !b)
		return 0;
	sysc_load64(&sc, regs);
	int state = 0;

	if ((s & SEL_EMIT_EXIT) && !((s & SEL_FAILED_ONLY) && ret >= 0)) {
		if (!ctx_once(b, cfg, t, nr, &state))
			return 0;
		buf_reset(b);
		mark_compat(b, &sc);
		b->ctx.retval = ret;
		encode_syscall_args(b, SLOT_SYS_EXIT, &sc);
		submit(b, cfg);
	}
	/* Derived events check their cheap preconditions before the header is built. */
	if ((s & SEL_FILE_OPEN) && ret >= 0) {
		struct file *f = task_fd_file(t, ret);
		if (f && ctx_once(b, cfg, t, nr, &state))
			derive_file_open(b, cfg, f, &sc);
	}
	if ((s & SEL_SOCKET_DUP) && ret >= 0) {
		struct sock *sk = fd_inet_sock(t, ret);
		if (sk && ctx_once(b, cfg, t, nr, &state))
			derive_socket_dup(b, cfg, sk, &sc, ret);
	}
	if ((s & SEL_MAGIC_WRITE) && ret > 0) {
		struct file *f = magic_write_file(t, &sc, ret);
		if (f && ctx_once(b, cfg, t, nr, &state))
			derive_magic_write(b, cfg, f, &sc, ret);
	}
	if ((s & SEL_INODE_LINK) && ret == 0 && ctx_once(b, cfg, t, nr, &state))
		derive_inode_link(b, cfg, t, &sc);
	if ((s & SEL_INODE_SYMLINK) && ret == 0 && ctx_once(b, cfg, t, nr, &state))
		derive_inode_symlink(b, cfg, t, &sc);
	return 0;
}

#ifndef TRACEE_PROBE_READ
SEC("tp_btf/sys_exit")
int BPF_PROG(tracee_sys_exit_btf, struct pt_regs *regs, long ret)
{
	return on_sys_exit(regs, ret);
}
#else
SEC("raw_tp/sys_exit")
int tracee_sys_exit_raw(struct bpf_raw_tracepoint_args *ctx)
{
	return on_sys_exit((struct pt_regs *)ctx->args[0], (long)ctx->args[1]);
}
#endif

#endif
