/* SPDX-License-Identifier: GPL-2.0 */
/*
 * io_uring: requests submitted through a ring never pass the syscall
 * tracepoints, so what the signatures need is taken from the io_uring
 * tracepoints, marked REC_IO_URING, under the events a syscall would give:
 *   io_uring_create: fd, sq_entries, cq_entries, flags (a ring was set up);
 *   completions (io_uring_complete), each when its event is selected:
 *     OPENAT/OPENAT2  security_file_open of the opened file: the fd it
 *                     installed, or the fixed-file slot it filled (a direct
 *                     descriptor, which no fd names);
 *     CONNECT         connect(sockfd, addr, addrlen): addr is a connected
 *                     inet socket's peer as the kernel holds it, else the
 *                     address the user passed; sockfd is the request's fd
 *                     (-1 for a fixed-file socket); and socket_dup onto the
 *                     lowest of fds 0-2 holding the socket under another number;
 *     ACCEPT          socket_dup(oldfd: the listening fd, newfd) when the
 *                     accepted inet socket got an fd (not a fixed slot);
 *     FIXED_FD_INSTALL socket_dup(oldfd: the fixed slot, newfd) when the
 *                     installed file is an inet socket;
 *     WRITE, WRITEV, WRITE_FIXED, WRITEV_FIXED  magic_write of a write that
 *                     started at offset 0 of a regular file;
 *     FTRUNCATE       security_file_truncate of the request's file (6.9+).
 *   io_uring_submit_req: the fd (or fixed slot) a connect, accept or fd
 *   install named, kept until its completion (the kernel reuses that field
 *   for the result); the events of requests submitted with
 *   IOSQE_CQE_SKIP_SUCCESS, which post no completion when they succeed (see
 *   uring_skip_open below); and security_inode_rename/link/symlink of
 *   RENAMEAT/LINKAT/SYMLINKAT and security_path_unlink of UNLINKAT of a
 *   non-directory (uring_names).
 * A completion runs in the submitting process, its io-wq worker or its
 * SQPOLL thread, which share the fd table and memory.
 */
#ifndef TRACEE_HOOK_IO_URING_H
#define TRACEE_HOOK_IO_URING_H

#include "../lib/derive.h"
#include "../lib/hook.h"
#include "../derived/socket_dup.h"
#include "../derived/magic_write.h"
#include "../derived/security_file_truncate.h"
#include "../derived/security_path_unlink.h"
#include <linux/io_uring.h>

/* Opcodes newer than the uapi headers this builds with (values are uapi). */
#define URING_OP_FIXED_FD_INSTALL 54
#define URING_OP_WRITEV_FIXED 61
#define URING_OP_FTRUNCATE 55
#define URING_REQ_F_FIXED_FILE 1ULL /* IOSQE_FIXED_FILE, copied into req->flags */
#define URING_REQ_F_CQE_SKIP (1ULL << 6) /* IOSQE_CQE_SKIP_SUCCESS */
#define URING_FILE_PTR_FLAGS 3UL    /* FFS_NOWAIT | FFS_ISREG in a fixed slot's file_ptr */
#define URING_O_TRUNC 01000

/* The fd or fixed slot a request named (sqe->fd), from submission to completion. */
struct uring_req_fd {
	s32 fd;
	u32 fixed;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, u64); /* the request (struct io_kiocb *) */
	__type(value, struct uring_req_fd);
} uring_req_fds SEC(".maps");

statfn int on_io_uring_create(int fd, u32 sq_entries, u32 cq_entries, u32 flags)
{
	struct config *cfg = get_config();
	if (!cfg || !(cfg->emit & EMIT_IO_URING_CREATE))
		return 0;
	struct event_buf *b = get_buf(SLOT_IO_URING_CREATE);
	if (!b)
		return 0;
	fill_ctx(&b->ctx, CURRENT_TASK, EVENT_IO_URING_CREATE, -1);
	if (!should_trace(cfg, &b->ctx))
		return 0;
	buf_reset(b);
	b->ctx.flags |= REC_IO_URING;
	arg_u32(b, IO_URING_CREATE__FD, fd);
	arg_u32(b, IO_URING_CREATE__SQ_ENTRIES, sq_entries);
	arg_u32(b, IO_URING_CREATE__CQ_ENTRIES, cq_entries);
	arg_u32(b, IO_URING_CREATE__FLAGS, flags);
	submit(b, cfg);
	return 0;
}

/* The selection bits of syscall nr (the io_uring routes follow their syscall's). */
statfn u32 uring_sel(u32 nr)
{
	u32 *s = bpf_map_lookup_elem(&selected, &nr);
	return s ? *s : 0;
}

statfn bool uring_tracks_fd(u8 op)
{
	return op == IORING_OP_CONNECT || op == IORING_OP_ACCEPT || op == URING_OP_FIXED_FD_INSTALL;
}


/* The fd (or slot) req named at submission; the entry goes with its last
 * completion. false when it is unknown (submitted before tracing began, or
 * evicted), which the caller flags as a failed read. */
statfn bool uring_req_fd(struct io_kiocb *req, struct io_uring_cqe *cqe, struct uring_req_fd *out)
{
	u64 key = (u64)req;
	struct uring_req_fd *v = bpf_map_lookup_elem(&uring_req_fds, &key);
	if (!v)
		return false;
	*out = *v;
	if (!(BPF_CORE_READ(cqe, flags) & IORING_CQE_F_MORE)) /* not a multishot's interim one */
		bpf_map_delete_elem(&uring_req_fds, &key);
	return true;
}

/* The file in fixed-file slot of req's ring, or NULL. */
statfn struct file *uring_fixed_file(struct io_kiocb *req, u32 slot)
{
	struct io_ring_ctx *ctx = BPF_CORE_READ(req, ctx);
	if (slot >= BPF_CORE_READ(ctx, file_table.data.nr))
		return NULL;
	struct io_rsrc_node **nodes = BPF_CORE_READ(ctx, file_table.data.nodes);
	struct io_rsrc_node *node = NULL;
	bpf_probe_read_kernel(&node, sizeof(node), &nodes[slot]);
	if (!node)
		return NULL;
	return (struct file *)(BPF_CORE_READ(node, file_ptr) & ~URING_FILE_PTR_FLAGS);
}

#define URING_PF_IO_WORKER 0x10

/*
 * A record for event id from req's completion, or NULL when out of scope.
 * It may run in an io-wq worker or the SQPOLL thread ("iou-wrk-N",
 * "iou-sqp-N", threads of the process): the name filtered and reported is
 * the submitting task's, or for SQPOLL the process's.
 */
statfn struct event_buf *uring_begin(struct config *cfg, struct task_struct *t, struct io_kiocb *req, u32 slot, s32 id)
{
	struct event_buf *b = get_buf(slot);
	if (!b)
		return NULL;
	fill_ctx(&b->ctx, t, id, -1);
	struct task_struct *sub = BPF_CORE_READ(req, tctx, task);
	if (!sub || (BPF_CORE_READ(sub, flags) & URING_PF_IO_WORKER))
		sub = BPF_CORE_READ(t, group_leader);
	bpf_probe_read_kernel(b->ctx.comm, sizeof(b->ctx.comm), &sub->comm); /* whole, as fill_ctx: NUL-padded */
	if (!should_trace(cfg, &b->ctx))
		return NULL;
	buf_reset(b);
	b->ctx.flags |= REC_IO_URING;
	return b;
}

/* OPENAT/OPENAT2: security_file_open of the file put on an fd or in a fixed slot. */
statfn void uring_open(struct config *cfg, struct io_kiocb *req, s32 res)
{
	if (res < 0 || !(uring_sel(__NR_openat) & SEL_SECURITY_FILE_OPEN))
		return;
	struct io_open *o = (void *)req; /* io_kiocb.cmd overlays the request's start */
	u32 slot = BPF_CORE_READ(o, file_slot);
	struct task_struct *t = CURRENT_TASK;
	struct file *f;
	if (!slot)
		f = task_fd_file(t, res);
	else /* a direct descriptor: slot - 1, or the one the kernel picked */
		f = uring_fixed_file(req, slot == IORING_FILE_INDEX_ALLOC ? (u32)res : slot - 1);
	if (!f)
		return;
	struct event_buf *b = uring_begin(cfg, t, req, SLOT_IO_URING_COMPLETE, EVENT_SECURITY_FILE_OPEN);
	if (!b)
		return;
	/* O_TRUNC as requested: the kernel clears it from f_flags (derived/security_file_open.h) */
	u32 flags = BPF_CORE_READ(f, f_flags) | (BPF_CORE_READ(o, how.flags) & URING_O_TRUNC);
	arg_file_path(b, SECURITY_FILE_OPEN__PATHNAME, SLOT_IO_URING_COMPLETE, f);
	arg_u32(b, SECURITY_FILE_OPEN__FLAGS, flags);
	file_identity(b, SECURITY_FILE_OPEN__DEV, f);
	arg_str(b, SECURITY_FILE_OPEN__SYSCALL_PATHNAME, NULL, false); /* the name went with the request */
	file_kind(b, f);
	submit(b, cfg);
}

/* socket_dup(oldfd, newfd, peer): the peer from sk, or without one the
 * user's address addr. */
statfn void uring_socket_dup(struct config *cfg, struct io_kiocb *req, u32 slot, s32 oldfd, s32 newfd,
			     struct sock *sk, const void *addr)
{
	struct event_buf *b = uring_begin(cfg, CURRENT_TASK, req, slot, EVENT_SOCKET_DUP);
	if (!b)
		return;
	if (sk) {
		socket_dup_args(b, oldfd, newfd, sk);
	} else {
		arg_u32(b, SOCKET_DUP__OLDFD, oldfd);
		arg_u32(b, SOCKET_DUP__NEWFD, newfd);
		arg_sockaddr(b, SOCKET_DUP__REMOTE_ADDR, addr, true);
	}
	submit(b, cfg);
}

/* The file a request names: its fd's, or its fixed slot's. */
statfn struct file *uring_named_file(struct io_kiocb *req, struct task_struct *t, struct uring_req_fd *rf)
{
	return rf->fixed ? uring_fixed_file(req, rf->fd) : task_fd_file(t, rf->fd);
}

/* CONNECT of a socket that fds 0-2 hold (under another fd, or as a fixed
 * file registered from one): socket_dup onto the lowest such fd, oldfd the
 * request's fd or fixed slot. */
statfn void uring_connect_stdfds(struct config *cfg, struct io_kiocb *req, struct uring_req_fd *rf, s32 res)
{
	if ((res != 0 && res != -SOCKET_DUP_EINPROGRESS) || !(uring_sel(__NR_accept4) & SEL_SOCKET_DUP))
		return;
	struct file *f = BPF_CORE_READ(req, file);
	struct task_struct *t = CURRENT_TASK;
	s32 std = stdfd_holding(t, f, rf->fixed ? -1 : rf->fd);
	if (std < 0)
		return;
	struct socket *sock = BPF_CORE_READ(f, private_data);
	struct sock *sk = BPF_CORE_READ(sock, sk);
	u16 family = sk ? BPF_CORE_READ(sk, __sk_common.skc_family) : 0;
	if (family == AF_INET || family == AF_INET6)
		uring_socket_dup(cfg, req, SLOT_IO_URING_COMPLETE, rf->fd, std, sk, NULL);
}

/* CONNECT: connect(sockfd, addr, addrlen) = res. */
statfn void uring_connect(struct config *cfg, struct io_kiocb *req, struct io_uring_cqe *cqe, s32 res)
{
	struct uring_req_fd rf = {.fd = -1};
	bool known = uring_req_fd(req, cqe, &rf);
	if (known)
		uring_connect_stdfds(cfg, req, &rf, res);
	u32 sel = uring_sel(__NR_connect);
	if (!(sel & SEL_EMIT_EXIT) || ((sel & SEL_FAILED_ONLY) && res >= 0))
		return;
	struct event_buf *b = uring_begin(cfg, CURRENT_TASK, req, SLOT_IO_URING_COMPLETE, __NR_connect);
	if (!b)
		return;
	if (!known)
		read_failed(b);
	b->ctx.retval = res;
	struct io_connect *c = (void *)req;
	arg_u32(b, 0, rf.fixed ? -1 : rf.fd); /* a fixed-file socket is on no fd */
	/* An inet socket's peer as the kernel holds it (the user's copy may have
	 * changed since submission); otherwise the address the user passed. */
	struct socket *sock = BPF_CORE_READ(req, file, private_data);
	struct sock *sk = BPF_CORE_READ(sock, sk);
	u16 family = sk ? BPF_CORE_READ(sk, __sk_common.skc_family) : 0;
	if ((family == AF_INET || family == AF_INET6) && BPF_CORE_READ(sk, __sk_common.skc_dport))
		sockaddr_from_sock(b, 1, sk);
	else
		arg_sockaddr(b, 1, BPF_CORE_READ(c, addr), true);
	arg_u32(b, 2, BPF_CORE_READ(c, addr_len));
	submit(b, cfg);
}

/* ACCEPT, FIXED_FD_INSTALL: socket_dup when an inet socket landed on fd res. */
statfn void uring_new_fd(struct config *cfg, struct io_kiocb *req, struct io_uring_cqe *cqe, u8 op, s32 res)
{
	struct uring_req_fd rf = {.fd = -1};
	bool known = uring_req_fd(req, cqe, &rf);
	if (res < 0 || !(uring_sel(__NR_accept4) & SEL_SOCKET_DUP))
		return;
	if (op == IORING_OP_ACCEPT && BPF_CORE_READ((struct io_accept *)req, file_slot))
		return; /* into a fixed slot: no fd yet (FIXED_FD_INSTALL gives it one) */
	struct task_struct *t = CURRENT_TASK;
	struct sock *sk = fd_inet_sock(t, res);
	if (!sk)
		return;
	struct event_buf *b = uring_begin(cfg, t, req, SLOT_IO_URING_COMPLETE, EVENT_SOCKET_DUP);
	if (!b)
		return;
	if (!known)
		read_failed(b);
	socket_dup_args(b, rf.fd, res, sk);
	submit(b, cfg);
}

/* *buf (a user iovec array) becomes its first iovec's base, *len its
 * length: 4 bytes each in a 32-bit process's ring. */
statfn void uring_first_iov(struct io_kiocb *req, u64 *buf, u64 *len)
{
	struct io_ring_ctx *ctx = BPF_CORE_READ(req, ctx);
	u32 w = BPF_CORE_READ_BITFIELD_PROBED(ctx, compat) ? 4 : 8;
	u64 iov[2] = {};
	bpf_probe_read_user(&iov[0], w, (const void *)*buf);
	bpf_probe_read_user(&iov[1], w, (const void *)(*buf + w));
	*buf = iov[0];
	*len = iov[1];
}

/* WRITE, WRITEV, WRITE_FIXED, WRITEV_FIXED: magic_write when res bytes went
 * to a regular file from offset 0 (the kiocb's position has moved past them). */
statfn void uring_write(struct config *cfg, struct io_kiocb *req, u8 op, s32 res)
{
	if (res <= 0 || !(uring_sel(__NR_write) & SEL_MAGIC_WRITE))
		return;
	struct file *f = BPF_CORE_READ(req, file);
	if (!f || (BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT) != S_IFREG)
		return;
	struct io_rw *rw = (void *)req;
	if (BPF_CORE_READ(rw, kiocb.ki_pos) != res)
		return;
	u64 buf = BPF_CORE_READ(rw, addr), len = 0;
	if (op == IORING_OP_WRITEV || op == URING_OP_WRITEV_FIXED)
		uring_first_iov(req, &buf, &len);
	struct event_buf *b = uring_begin(cfg, CURRENT_TASK, req, SLOT_IO_URING_COMPLETE, EVENT_MAGIC_WRITE);
	if (!b)
		return;
	magic_write_args(b, SLOT_IO_URING_COMPLETE, f, (const void *)buf, res);
	submit(b, cfg);
}

/*
 * Requests submitted with IOSQE_CQE_SKIP_SUCCESS post no completion when
 * they succeed, and io_uring_complete never fires for them: their events
 * are built at submission from what the request's preparation holds, as
 * requested (retval 0; the outcome is not known):
 *   OPENAT/OPENAT2  security_file_open: the kernel's copy of the name made
 *                   absolute against the request's dirfd as given (not
 *                   resolved: no dev/inode/fs_magic, so signatures fall
 *                   back to the path; inode_mode S_IFREG with no permission
 *                   bits: the type is unknown, taken as a regular file), the
 *                   requested flags;
 *   CONNECT         connect with the address the user passed (the kernel
 *                   copied it moments before, in the same io_uring_enter), and
 *                   socket_dup onto the lowest of fds 0-2 holding the socket;
 *   WRITE*          magic_write when the request writes at offset 0 of a
 *                   regular file (the first bytes of the buffer).
 * An accept or fixed-fd install that skips its completion is not seen (its
 * fd is only chosen at issue); a shell started on that fd still is (socket_dup
 * at exec).
 */
statfn void uring_skip_open(struct config *cfg, struct io_kiocb *req)
{
	if (!(uring_sel(__NR_openat) & SEL_SECURITY_FILE_OPEN))
		return;
	struct io_open *o = (void *)req;
	const char *name = BPF_CORE_READ(o, filename, name);
	struct task_struct *t = CURRENT_TASK;
	struct event_buf *b = uring_begin(cfg, t, req, SLOT_IO_URING_SUBMIT_REQ, EVENT_SECURITY_FILE_OPEN);
	if (!b)
		return;
	bool failed, cut;
	const char *p = path_at(SLOT_IO_URING_SUBMIT_REQ, t, BPF_CORE_READ(o, dfd), name, false, &failed, &cut);
	if (failed)
		read_failed(b);
	if (cut)
		mark_truncated(b);
	arg_str(b, SECURITY_FILE_OPEN__PATHNAME, p, false);
	arg_u32(b, SECURITY_FILE_OPEN__FLAGS, (u32)BPF_CORE_READ(o, how.flags));
	arg_str(b, SECURITY_FILE_OPEN__SYSCALL_PATHNAME, name, false);
	/* the file's type is not known at submission: taken as a regular file,
	 * the type every file watch asks for (a superset, never a miss) */
	arg_u32(b, SECURITY_FILE_OPEN__INODE_MODE, 0100000);
	submit(b, cfg);
}

statfn void uring_skip_connect(struct config *cfg, struct io_kiocb *req, struct uring_req_fd *rf)
{
	/* the user's address, which the kernel copied moments ago in this same
	 * io_uring_enter (a racing thread could change it in between) */
	struct io_connect *c = (void *)req;
	const void *addr = BPF_CORE_READ(c, addr);
	struct task_struct *t = CURRENT_TASK;
	u32 sel = uring_sel(__NR_connect);
	if ((sel & SEL_EMIT_EXIT) && !(sel & SEL_FAILED_ONLY)) {
		struct event_buf *b = uring_begin(cfg, t, req, SLOT_IO_URING_SUBMIT_REQ, __NR_connect);
		if (b) {
			arg_u32(b, 0, rf->fixed ? -1 : rf->fd);
			arg_sockaddr(b, 1, addr, true);
			arg_u32(b, 2, BPF_CORE_READ(c, addr_len));
			submit(b, cfg);
		}
	}
	u16 family = 0;
	bpf_probe_read_user(&family, sizeof(family), addr);
	if (!(uring_sel(__NR_accept4) & SEL_SOCKET_DUP) || (family != AF_INET && family != AF_INET6))
		return;
	struct file *f = uring_named_file(req, t, rf);
	s32 std = f ? stdfd_holding(t, f, rf->fixed ? -1 : rf->fd) : -1;
	if (std >= 0)
		uring_socket_dup(cfg, req, SLOT_IO_URING_SUBMIT_REQ, rf->fd, std, NULL, addr);
}

/* FTRUNCATE's request (Linux 6.9+): its file and the length (sqe->off). */
struct io_ftrunc___tr {
	struct file *file;
	long long len;
} __attribute__((preserve_access_index));

/* security_file_truncate of an FTRUNCATE of f: at its completion (res 0),
 * or at submission for one that posts no completion on success. */
statfn void uring_truncate(struct config *cfg, struct io_kiocb *req, struct file *f, u32 slot)
{
	if (!bpf_core_type_exists(struct io_ftrunc___tr) || !f ||
	    !(uring_sel(__NR_ftruncate) & SEL_SECURITY_FILE_TRUNCATE))
		return;
	s64 len = BPF_CORE_READ((struct io_ftrunc___tr *)req, len);
	if (!file_truncate_may_pass(slot, len))
		return;
	struct event_buf *b = uring_begin(cfg, CURRENT_TASK, req, slot, EVENT_SECURITY_FILE_TRUNCATE);
	if (!b)
		return;
	file_truncate_args(b, slot, f, len);
	submit(b, cfg);
}

statfn void uring_skip_write(struct config *cfg, struct io_kiocb *req, u8 op, struct uring_req_fd *rf)
{
	if (!(uring_sel(__NR_write) & SEL_MAGIC_WRITE))
		return;
	struct task_struct *t = CURRENT_TASK;
	struct file *f = uring_named_file(req, t, rf);
	if (!f || (BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT) != S_IFREG)
		return;
	struct io_rw *rw = (void *)req;
	long long pos = BPF_CORE_READ(rw, kiocb.ki_pos); /* sqe->off; -1: the file position */
	if (pos == -1)
		pos = BPF_CORE_READ(f, f_pos);
	if (pos != 0)
		return;
	u64 buf = BPF_CORE_READ(rw, addr), len = BPF_CORE_READ(rw, len);
	if (op == IORING_OP_WRITEV || op == URING_OP_WRITEV_FIXED)
		uring_first_iov(req, &buf, &len);
	if (!len)
		return;
	struct event_buf *b = uring_begin(cfg, t, req, SLOT_IO_URING_SUBMIT_REQ, EVENT_MAGIC_WRITE);
	if (!b)
		return;
	magic_write_args(b, SLOT_IO_URING_SUBMIT_REQ, f, (const void *)buf, len);
	submit(b, cfg);
}

/* A name of the request (the kernel's copy) made absolute against dfd, as
 * argument idx; a failed read or a cut flags the record. */
statfn void uring_arg_path(struct event_buf *b, u8 idx, int dfd, struct filename *fn)
{
	bool failed, cut;
	const char *p = path_at(SLOT_IO_URING_SUBMIT_REQ, CURRENT_TASK, dfd, BPF_CORE_READ(fn, name), false, &failed, &cut);
	if (failed)
		read_failed(b);
	if (cut)
		mark_truncated(b);
	arg_str(b, idx, p, false);
}

/*
 * RENAMEAT, LINKAT, SYMLINKAT, UNLINKAT: the kernel drops their names when
 * they run, before the completion, so security_inode_rename/link/symlink
 * and security_path_unlink are built at submission, as requested (retval 0;
 * the outcome is not known), with the names made absolute against the
 * request's dirfds as given (rename: no dev/inode) and the watched
 * directory of the new name (lib/dirwalk.h).
 */
statfn void uring_names(struct config *cfg, struct io_kiocb *req, u8 op)
{
	struct io_link *l = (void *)req;
	struct io_rename *r = (void *)req;
	struct io_unlink *u = (void *)req;
	s32 id;
	if (op == IORING_OP_UNLINKAT && (uring_sel(__NR_unlinkat) & SEL_SECURITY_PATH_UNLINK) &&
	    !(BPF_CORE_READ(u, flags) & UNLINK_AT_REMOVEDIR))
		id = EVENT_SECURITY_PATH_UNLINK;
	else if (op == IORING_OP_RENAMEAT && (uring_sel(__NR_renameat2) & SEL_SECURITY_INODE_RENAME))
		id = EVENT_SECURITY_INODE_RENAME;
	else if (op == IORING_OP_LINKAT && (uring_sel(__NR_linkat) & SEL_SECURITY_INODE_LINK))
		id = EVENT_SECURITY_INODE_LINK;
	else if (op == IORING_OP_SYMLINKAT && (uring_sel(__NR_symlinkat) & SEL_SECURITY_INODE_SYMLINK))
		id = EVENT_SECURITY_INODE_SYMLINK;
	else
		return;
	struct event_buf *b = uring_begin(cfg, CURRENT_TASK, req, SLOT_IO_URING_SUBMIT_REQ, id);
	if (!b)
		return;
	if (id == EVENT_SECURITY_PATH_UNLINK) {
		uring_arg_path(b, SECURITY_PATH_UNLINK__PATHNAME, BPF_CORE_READ(u, dfd), BPF_CORE_READ(u, filename));
	} else if (id == EVENT_SECURITY_INODE_RENAME) {
		uring_arg_path(b, SECURITY_INODE_RENAME__OLD_PATH, BPF_CORE_READ(r, old_dfd), BPF_CORE_READ(r, oldpath));
		uring_arg_path(b, SECURITY_INODE_RENAME__NEW_PATH, BPF_CORE_READ(r, new_dfd), BPF_CORE_READ(r, newpath));
		arg_u32(b, SECURITY_INODE_RENAME__DEV, 0);
		arg_u64(b, SECURITY_INODE_RENAME__INODE, 0);
		arg_dest_watched(b, SECURITY_INODE_RENAME__WATCHED_DIR, BPF_CORE_READ(r, new_dfd),
				 (u64)BPF_CORE_READ(r, newpath, name), false);
	} else if (id == EVENT_SECURITY_INODE_LINK) {
		uring_arg_path(b, SECURITY_INODE_LINK__OLD_PATH, BPF_CORE_READ(l, old_dfd), BPF_CORE_READ(l, oldpath));
		uring_arg_path(b, SECURITY_INODE_LINK__NEW_PATH, BPF_CORE_READ(l, new_dfd), BPF_CORE_READ(l, newpath));
		arg_dest_watched(b, SECURITY_INODE_LINK__WATCHED_DIR, BPF_CORE_READ(l, new_dfd),
				 (u64)BPF_CORE_READ(l, newpath, name), false);
	} else {
		uring_arg_path(b, SECURITY_INODE_SYMLINK__LINKPATH, BPF_CORE_READ(l, new_dfd), BPF_CORE_READ(l, newpath));
		arg_str(b, SECURITY_INODE_SYMLINK__TARGET, BPF_CORE_READ(l, oldpath, name), false); /* as written */
		arg_dest_watched(b, SECURITY_INODE_SYMLINK__WATCHED_DIR, BPF_CORE_READ(l, new_dfd),
				 (u64)BPF_CORE_READ(l, newpath, name), false);
	}
	submit(b, cfg);
}

statfn int on_io_uring_submit_req(struct io_kiocb *req)
{
	u8 op = BPF_CORE_READ(req, opcode);
	u64 flags = BPF_CORE_READ(req, flags);
	struct uring_req_fd v = {
		.fd = BPF_CORE_READ(req, cqe.fd), /* sqe->fd, for the opcodes that take a file */
		.fixed = (flags & URING_REQ_F_FIXED_FILE) != 0,
	};
	if (uring_tracks_fd(op) && !(flags & URING_REQ_F_CQE_SKIP)) {
		u64 key = (u64)req;
		bpf_map_update_elem(&uring_req_fds, &key, &v, BPF_ANY);
		return 0;
	}
	bool names = op == IORING_OP_RENAMEAT || op == IORING_OP_LINKAT || op == IORING_OP_SYMLINKAT ||
		     op == IORING_OP_UNLINKAT;
	if (!names && !(flags & URING_REQ_F_CQE_SKIP))
		return 0;
	struct config *cfg = get_config();
	if (!cfg)
		return 0;
	if (names) {
		uring_names(cfg, req, op);
		return 0;
	}
	switch (op) {
	case IORING_OP_OPENAT:
	case IORING_OP_OPENAT2:
		uring_skip_open(cfg, req);
		break;
	case IORING_OP_CONNECT:
		uring_skip_connect(cfg, req, &v);
		break;
	case IORING_OP_WRITE:
	case IORING_OP_WRITEV:
	case IORING_OP_WRITE_FIXED:
	case URING_OP_WRITEV_FIXED:
		uring_skip_write(cfg, req, op, &v);
		break;
	case URING_OP_FTRUNCATE:
		uring_truncate(cfg, req, uring_named_file(req, CURRENT_TASK, &v), SLOT_IO_URING_SUBMIT_REQ);
		break;
	}
	return 0;
}

statfn int on_io_uring_complete(struct io_kiocb *req, struct io_uring_cqe *cqe)
{
	struct config *cfg = get_config();
	if (!cfg)
		return 0;
	u8 op = BPF_CORE_READ(req, opcode);
	s32 res = BPF_CORE_READ(cqe, res);
	switch (op) {
	case IORING_OP_OPENAT:
	case IORING_OP_OPENAT2:
		uring_open(cfg, req, res);
		break;
	case IORING_OP_CONNECT:
		uring_connect(cfg, req, cqe, res);
		break;
	case IORING_OP_ACCEPT:
	case URING_OP_FIXED_FD_INSTALL:
		uring_new_fd(cfg, req, cqe, op, res);
		break;
	case IORING_OP_WRITE:
	case IORING_OP_WRITEV:
	case IORING_OP_WRITE_FIXED:
	case URING_OP_WRITEV_FIXED:
		uring_write(cfg, req, op, res);
		break;
	case URING_OP_FTRUNCATE:
		if (res == 0)
			uring_truncate(cfg, req, BPF_CORE_READ(req, file), SLOT_IO_URING_COMPLETE);
		break;
	}
	return 0;
}

/* io_uring_create(int fd, void *ctx, u32 sq_entries, u32 cq_entries, u32 flags) */
TRACEE_HOOK(io_uring_create, io_uring_create,
	    on_io_uring_create(HOOK_ARG(int, 0), HOOK_ARG(u32, 2), HOOK_ARG(u32, 3), HOOK_ARG(u32, 4)))

/* io_uring_submit_req(struct io_kiocb *req) */
TRACEE_HOOK(io_uring_submit_req, io_uring_submit_req, on_io_uring_submit_req(HOOK_ARG(struct io_kiocb *, 0)))

/* io_uring_complete(struct io_ring_ctx *ctx, void *req, struct io_uring_cqe *cqe) */
TRACEE_HOOK(io_uring_complete, io_uring_complete,
	    on_io_uring_complete(HOOK_ARG(struct io_kiocb *, 1), HOOK_ARG(struct io_uring_cqe *, 2)))

#endif
