/* SPDX-License-Identifier: GPL-2.0 */
/* socket_dup: the peer of an inet socket duplicated onto another fd, at sys_exit of dup/dup2/dup3. */
#ifndef TRACEE_DERIVED_SOCKET_DUP_H
#define TRACEE_DERIVED_SOCKET_DUP_H

#include "../lib/derive.h"

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

/* only when the new fd is an inet socket */
statfn void derive_socket_dup(struct derive_ctx *dc)
{
	if (dc->ret < 0)
		return;
	struct sock *sk = fd_inet_sock(dc->t, dc->ret);
	if (!sk || !derive_begin(dc, EVENT_SOCKET_DUP))
		return;
	struct event_buf *b = dc->b;
	arg_u32(b, SOCKET_DUP__OLDFD, (u32)derive_arg(dc, 0));
	arg_u32(b, SOCKET_DUP__NEWFD, (u32)dc->ret);
	sockaddr_from_sock(b, SOCKET_DUP__REMOTE_ADDR, sk);
	submit(b, dc->cfg);
}

#endif
