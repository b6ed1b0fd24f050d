/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Events derived at sys_exit from kernel state that user space cannot see:
 * the file behind a freshly opened fd (security_file_open), the peer of a
 * socket duplicated onto another fd (socket_dup), and the first bytes written
 * at offset 0 of a regular file (magic_write).
 */
#ifndef TRACEE_DERIVED_H
#define TRACEE_DERIVED_H

#include "../lib/common.h"
#include "../lib/buffer.h"
#include "../lib/path.h"
#include "../lib/submit.h"
#include "syscall_args.h"
#include <asm/unistd_64.h>

statfn void begin_derived(struct event_buf *b, s32 id, struct sysc *sc)
{
	buf_reset(b);
	mark_compat(b, sc);
	b->ctx.event_id = id;
	b->ctx.retval = 0;
}

statfn void file_identity(struct event_buf *b, u8 dev_idx, struct file *f)
{
	struct inode *ino = BPF_CORE_READ(f, f_inode);
	arg_u32(b, dev_idx, BPF_CORE_READ(ino, i_sb, s_dev));
	arg_u64(b, dev_idx + 1, BPF_CORE_READ(ino, i_ino));
}

/* security_file_open: pathname, flags, dev, inode, syscall_pathname */
statfn void derive_file_open(struct event_buf *b, struct config *cfg, struct file *f,
			     struct sysc *sc)
{
	begin_derived(b, EVENT_SECURITY_FILE_OPEN, sc);
	arg_str(b, 0, file_path(SLOT_SYS_EXIT, f), false);
	arg_u32(b, 1, BPF_CORE_READ(f, f_flags));
	file_identity(b, 2, f);
	u32 nr = sc->nr;
	u64 p = (nr == __NR_openat || nr == __NR_openat2) ? sc->a[1] : sc->a[0];
	arg_str(b, 4, (const void *)p, true);
	submit(b, cfg);
}

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

/* socket_dup: oldfd, newfd, remote_addr — only when the new fd is an inet socket */
statfn void derive_socket_dup(struct event_buf *b, struct config *cfg, struct sock *sk,
			      struct sysc *sc, long ret)
{
	begin_derived(b, EVENT_SOCKET_DUP, sc);
	arg_u32(b, 0, (u32)sc->a[0]);
	arg_u32(b, 1, (u32)ret);
	sockaddr_from_sock(b, 2, sk);
	submit(b, cfg);
}

#define MAGIC_BYTES 20

/* The regular file a write/pwrite64 wrote to at offset 0, or NULL. */
statfn struct file *magic_write_file(struct task_struct *t, struct sysc *sc, long ret)
{
	struct file *f = task_fd_file(t, (u32)sc->a[0]);
	if (!f)
		return NULL;
	unsigned short mode = BPF_CORE_READ(f, f_inode, i_mode);
	if ((mode & S_IFMT) != S_IFREG)
		return NULL;
	if (sc->nr == __NR_pwrite64) {
		if (sc->a[3] != 0)
			return NULL;
	} else if (BPF_CORE_READ(f, f_pos) != ret) {
		return NULL;
	}
	return f;
}

/* magic_write: pathname, bytes, dev, inode */
statfn void derive_magic_write(struct event_buf *b, struct config *cfg, struct file *f,
			       struct sysc *sc, long ret)
{
	begin_derived(b, EVENT_MAGIC_WRITE, sc);
	arg_str(b, 0, file_path(SLOT_SYS_EXIT, f), false);
	u32 n = ret < MAGIC_BYTES ? ret : MAGIC_BYTES;
	arg_bytes(b, 1, (const void *)sc->a[1], n, true);
	file_identity(b, 2, f);
	submit(b, cfg);
}

#endif
