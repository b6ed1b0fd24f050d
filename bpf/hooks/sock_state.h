/* SPDX-License-Identifier: GPL-2.0 */
/*
 * inet_sock_set_state at TCP_SYN_SENT, in a connect syscall: the socket
 * being connected is also on one of fds 0-2 under another number (socket,
 * dup2 onto 0-2 while unconnected, then connect of the original fd: no
 * syscall names a standard fd with a peer). socket_dup onto the lowest such
 * fd, oldfd the connected one, the peer from the socket. A program of its
 * own: the check did not fit sys_exit's verifier budget (-mcpu=v3). io_uring
 * connects are hooks/io_uring.h's; UDP connects change no TCP state and are
 * not seen here.
 */
#ifndef TRACEE_HOOK_SOCK_STATE_H
#define TRACEE_HOOK_SOCK_STATE_H

#include "../lib/derive.h"
#include "../lib/hook.h"
#include "../derived/socket_dup.h"

#define SOCK_STATE_TCP_SYN_SENT 2

statfn int on_inet_sock_set_state(struct sock *sk, int newstate)
{
	if (newstate != SOCK_STATE_TCP_SYN_SENT)
		return 0;
	u32 nr = __NR_accept4;
	u32 *sel = bpf_map_lookup_elem(&selected, &nr);
	if (!sel || !(*sel & SEL_SOCKET_DUP))
		return 0;
	struct task_struct *t = CURRENT_TASK;
	/* the task's user registers (a BTF task pointer in either build) */
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	struct sysc sc;
	if (!regs || !sysc_read(t, regs, &sc) || sc.nr != __NR_connect)
		return 0; /* not a connect syscall (io_uring's are seen at its completion) */
	sysc_load64(&sc, regs);
	s32 fd = (s32)sc.a[0];
	s32 std = stdfd_holding(t, task_fd_file(t, fd), fd);
	struct config *cfg = get_config();
	struct event_buf *b = get_buf(SLOT_INET_SOCK_SET_STATE);
	if (std < 0 || !cfg || !b)
		return 0;
	fill_ctx(&b->ctx, t, EVENT_SOCKET_DUP, sc.nr);
	if (!should_trace(cfg, &b->ctx))
		return 0;
	buf_reset(b);
	mark_compat(b, &sc);
	socket_dup_args(b, fd, std, sk);
	submit(b, cfg);
	return 0;
}

/* inet_sock_set_state(const struct sock *sk, const int oldstate, const int newstate) */
TRACEE_HOOK(inet_sock_set_state, inet_sock_set_state,
	    on_inet_sock_set_state(HOOK_ARG(struct sock *, 0), HOOK_ARG(int, 2)))

#endif
