/* SPDX-License-Identifier: GPL-2.0 */
/*
 * socket_dup: the peer of an inet socket that a syscall put on a new fd, at
 * sys_exit of dup/dup2/dup3, fcntl(F_DUPFD, F_DUPFD_CLOEXEC), accept/accept4
 * (oldfd: the listening socket) and pidfd_getfd (oldfd: the fd in the other
 * process); also at exec for fds 0-2 (hooks/sched_exec.h, oldfd -1), and
 * at io_uring accept and fixed-fd-install completions (hooks/io_uring.h).
 */
#ifndef TRACEE_DERIVED_SOCKET_DUP_H
#define TRACEE_DERIVED_SOCKET_DUP_H

#include "../lib/derive.h"
#include <linux/fcntl.h>

statfn u32 sockaddr_from_sock(struct event_buf *b, u8 idx, struct sock *sk)
{
	u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	int o;
	if (family == AF_INET) {
		o = arg_begin(b, idx);
		if (o < 0)
			return family;
		u8 *p = &b->args[o + 5];
		__builtin_memset(p, 0, 16);
		*(u16 *)p = AF_INET;
		*(u16 *)(p + 2) = BPF_CORE_READ(sk, __sk_common.skc_dport);
		*(u32 *)(p + 4) = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		*(u32 *)&b->args[o + 1] = 16;
		arg_end(b, o, 4 + 16);
	} else if (family == AF_INET6) {
		o = arg_begin(b, idx);
		if (o < 0)
			return family;
		u8 *p = &b->args[o + 5];
		__builtin_memset(p, 0, 28);
		*(u16 *)p = AF_INET6;
		*(u16 *)(p + 2) = BPF_CORE_READ(sk, __sk_common.skc_dport);
		bpf_probe_read_kernel(p + 8, 16, &sk->__sk_common.skc_v6_daddr);
		*(u32 *)&b->args[o + 1] = 28;
		arg_end(b, o, 4 + 28);
	}
	return family;
}

/* The inet socket behind fd, or NULL. */
statfn struct sock *fd_inet_sock(struct task_struct *t, u32 fd)
{
	struct file *f = task_fd_file(t, fd);
	if (!f)
		return NULL;
	unsigned short mode = BPF_CORE_READ(f, f_inode, i_mode);
	if ((mode & S_IFMT) != S_IFSOCK)
		return NULL;
	struct socket *sock = BPF_CORE_READ(f, private_data);
	struct sock *sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return NULL;
	u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return NULL;
	return sk;
}

/* socket_dup's arguments (also for io_uring accepts and fd installs, hooks/io_uring.h) */
statfn void socket_dup_args(struct event_buf *b, u32 oldfd, u32 newfd, struct sock *sk)
{
	arg_u32(b, SOCKET_DUP__OLDFD, oldfd);
	arg_u32(b, SOCKET_DUP__NEWFD, newfd);
	sockaddr_from_sock(b, SOCKET_DUP__REMOTE_ADDR, sk);
}

/* The lowest of fds 0-2, other than fd, that holds f; -1 for none. */
statfn s32 stdfd_holding(struct task_struct *t, struct file *f, s32 fd)
{
	for (int i = 0; i < 3; i++)
		if (i != fd && task_fd_file(t, i) == f)
			return i;
	return -1;
}

#define SOCKET_DUP_EINPROGRESS 115

/* only when the new fd is an inet socket */
statfn void derive_socket_dup(struct derive_ctx *dc)
{
	if (dc->ret < 0)
		return;
	u32 nr = dc->sc->nr;
	if (nr == __NR_fcntl && derive_arg(dc, 1) != F_DUPFD && derive_arg(dc, 1) != F_DUPFD_CLOEXEC)
		return; /* another fcntl command: its result is no descriptor */
	struct sock *sk = fd_inet_sock(dc->t, dc->ret);
	if (!sk || !derive_begin(dc, EVENT_SOCKET_DUP))
		return;
	socket_dup_args(dc->b, (u32)(nr == __NR_pidfd_getfd ? derive_arg(dc, 1) : derive_arg(dc, 0)), (u32)dc->ret, sk);
	submit(dc->b, dc->cfg);
}

#endif
