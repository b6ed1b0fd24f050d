/* SPDX-License-Identifier: GPL-2.0 */
/*
 * io_uring: requests submitted through a ring never pass the syscall
 * tracepoints, so what the signatures need is taken from the io_uring
 * tracepoints, marked REC_IO_URING:
 *   io_uring_create: fd, sq_entries, cq_entries, flags (a ring was set up);
 *   security_file_open from the completion of IORING_OP_OPENAT/OPENAT2 (the
 *   fd it installed, resolved like an open's; a fixed-file slot installs no
 *   fd and is not seen). The completion runs in the submitting process or
 *   its io-wq worker thread, which share the fd table.
 */
#ifndef TRACEE_HOOK_IO_URING_H
#define TRACEE_HOOK_IO_URING_H

#include "../lib/common.h"
#include "../lib/context.h"
#include "../lib/filter.h"
#include "../lib/buffer.h"
#include "../lib/path.h"
#include "../lib/submit.h"
#include "../lib/derive.h"
#include <linux/io_uring.h>

statfn int on_io_uring_create(int fd, u32 sq_entries, u32 cq_entries, u32 flags)
{
	struct config *cfg = get_config();
	if (!cfg || !(cfg->emit & EMIT_IO_URING_CREATE))
		return 0;
	struct event_buf *b = get_buf(SLOT_SYS_EXIT);
	if (!b)
		return 0;
	fill_ctx(&b->ctx, CURRENT_TASK, EVENT_IO_URING_CREATE, -1);
	if (!should_trace(cfg, &b->ctx))
		return 0;
	buf_reset(b);
	b->ctx.flags |= REC_IO_URING;
	arg_u32(b, 0, fd);
	arg_u32(b, 1, sq_entries);
	arg_u32(b, 2, cq_entries);
	arg_u32(b, 3, flags);
	submit(b, cfg);
	return 0;
}

statfn int on_io_uring_complete(struct io_kiocb *req, struct io_uring_cqe *cqe)
{
	struct config *cfg = get_config();
	if (!cfg || !(cfg->emit & EMIT_IO_URING_OPEN))
		return 0;
	u8 op = BPF_CORE_READ(req, opcode);
	if (op != IORING_OP_OPENAT && op != IORING_OP_OPENAT2)
		return 0;
	s32 fd = BPF_CORE_READ(cqe, res);
	if (fd < 0)
		return 0;
	struct task_struct *t = CURRENT_TASK;
	struct file *f = task_fd_file(t, fd);
	if (!f)
		return 0;
	struct event_buf *b = get_buf(SLOT_SYS_EXIT);
	if (!b)
		return 0;
	fill_ctx(&b->ctx, t, EVENT_SECURITY_FILE_OPEN, -1);
	if (!should_trace(cfg, &b->ctx))
		return 0;
	buf_reset(b);
	b->ctx.flags |= REC_IO_URING;
	arg_str(b, 0, file_path(SLOT_SYS_EXIT, f), false);
	arg_u32(b, 1, BPF_CORE_READ(f, f_flags));
	struct inode *ino = BPF_CORE_READ(f, f_inode);
	arg_u32(b, 2, BPF_CORE_READ(ino, i_sb, s_dev));
	arg_u64(b, 3, BPF_CORE_READ(ino, i_ino));
	arg_str(b, 4, NULL, false); /* the name went with the request */
	arg_u32(b, 5, BPF_CORE_READ(ino, i_sb, s_magic));
	arg_u32(b, 6, BPF_CORE_READ(ino, i_mode));
	arg_str(b, 7, watched_dir_of(BPF_CORE_READ(f, f_path.dentry)), false);
	submit(b, cfg);
	return 0;
}

#ifndef TRACEE_PROBE_READ
SEC("tp_btf/io_uring_create")
int BPF_PROG(tracee_io_uring_create_btf, int fd, void *ring, u32 sq_entries, u32 cq_entries, u32 flags)
{
	return on_io_uring_create(fd, sq_entries, cq_entries, flags);
}

SEC("tp_btf/io_uring_complete")
int BPF_PROG(tracee_io_uring_complete_btf, void *ring, void *req, struct io_uring_cqe *cqe)
{
	return on_io_uring_complete((struct io_kiocb *)req, cqe);
}
#else
SEC("raw_tp/io_uring_create")
int tracee_io_uring_create_raw(struct bpf_raw_tracepoint_args *ctx)
{
	return on_io_uring_create((int)ctx->args[0], (u32)ctx->args[2], (u32)ctx->args[3], (u32)ctx->args[4]);
}

SEC("raw_tp/io_uring_complete")
int tracee_io_uring_complete_raw(struct bpf_raw_tracepoint_args *ctx)
{
	return on_io_uring_complete((struct io_kiocb *)ctx->args[1], (struct io_uring_cqe *)ctx->args[2]);
}
#endif

#endif
