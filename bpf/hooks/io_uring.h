/* SPDX-License-Identifier: GPL-2.0 */
/*
 * io_uring: requests submitted through a ring never pass the syscall
 * tracepoints, so what the signatures need is taken from the io_uring
 * tracepoints, marked REC_IO_URING:
 *   io_uring_create: fd, sq_entries, cq_entries, flags (a ring was set up);
 *   security_file_open from the completion of IORING_OP_OPENAT/OPENAT2 (the
 *   fd it installed, resolved like an open's; a fixed-file slot installs no
 *   fd and is not seen), when security_file_open is selected (its bit on
 *   openat). The completion runs in the submitting process or its io-wq
 *   worker thread, which share the fd table.
 */
#ifndef TRACEE_HOOK_IO_URING_H
#define TRACEE_HOOK_IO_URING_H

#include "../lib/derive.h"
#include "../lib/hook.h"
#include <linux/io_uring.h>

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

statfn int on_io_uring_complete(struct io_kiocb *req, struct io_uring_cqe *cqe)
{
	u32 nr = __NR_openat;
	u32 *sel = bpf_map_lookup_elem(&selected, &nr);
	if (!sel || !(*sel & SEL_SECURITY_FILE_OPEN))
		return 0;
	u8 op = BPF_CORE_READ(req, opcode);
	if (op != IORING_OP_OPENAT && op != IORING_OP_OPENAT2)
		return 0;
	s32 fd = BPF_CORE_READ(cqe, res);
	struct config *cfg = get_config();
	if (fd < 0 || !cfg)
		return 0;
	struct task_struct *t = CURRENT_TASK;
	struct file *f = task_fd_file(t, fd);
	struct event_buf *b = get_buf(SLOT_IO_URING_COMPLETE);
	if (!f || !b)
		return 0;
	fill_ctx(&b->ctx, t, EVENT_SECURITY_FILE_OPEN, -1);
	if (!should_trace(cfg, &b->ctx))
		return 0;
	buf_reset(b);
	b->ctx.flags |= REC_IO_URING;
	arg_str(b, SECURITY_FILE_OPEN__PATHNAME, file_path(SLOT_IO_URING_COMPLETE, f), false);
	arg_u32(b, SECURITY_FILE_OPEN__FLAGS, BPF_CORE_READ(f, f_flags));
	file_identity(b, SECURITY_FILE_OPEN__DEV, f);
	arg_str(b, SECURITY_FILE_OPEN__SYSCALL_PATHNAME, NULL, false); /* the name went with the request */
	file_kind(b, f);
	submit(b, cfg);
	return 0;
}

/* io_uring_create(int fd, void *ctx, u32 sq_entries, u32 cq_entries, u32 flags) */
TRACEE_HOOK(io_uring_create, io_uring_create,
	    on_io_uring_create(HOOK_ARG(int, 0), HOOK_ARG(u32, 2), HOOK_ARG(u32, 3), HOOK_ARG(u32, 4)))

/* io_uring_complete(struct io_ring_ctx *ctx, void *req, struct io_uring_cqe *cqe) */
TRACEE_HOOK(io_uring_complete, io_uring_complete,
	    on_io_uring_complete(HOOK_ARG(struct io_kiocb *, 1), HOOK_ARG(struct io_uring_cqe *, 2)))

#endif
