/* SPDX-License-Identifier: GPL-2.0 */
/*
 * security_file_truncate: a file cut to a length through a descriptor, at
 * sys_exit of a successful ftruncate (i386 ftruncate and ftruncate64 arrive
 * as ftruncate). The file is the one behind the fd, as the kernel holds it:
 * its real path, device and inode, however it was reached (a relative
 * name, a symlink, a descriptor passed by another process). This is how
 * `truncate -s 0 FILE` empties a file: it opens it without O_TRUNC, then
 * calls ftruncate. The length is checked by the policies' filters before
 * the path is built. io_uring's FTRUNCATE (Linux 6.9) gives the same event
 * (hooks/io_uring.h).
 */
#ifndef TRACEE_DERIVED_SECURITY_FILE_TRUNCATE_H
#define TRACEE_DERIVED_SECURITY_FILE_TRUNCATE_H

#include "../lib/derive.h"

statfn int file_truncate_may_pass(u32 slot, s64 length)
{
	struct df_pre *pre = df_pre_begin(slot, EVENT_SECURITY_FILE_TRUNCATE);
	if (!pre)
		return 1;
	pre->have = 1 << SECURITY_FILE_TRUNCATE__LENGTH;
	pre->vals[SECURITY_FILE_TRUNCATE__LENGTH & (DF_ARGS - 1)] = (u64)length;
	return tracee_may_pass(pre);
}

/* pathname, length, dev, inode (also for io_uring FTRUNCATE, hooks/io_uring.h) */
statfn void file_truncate_args(struct event_buf *b, u32 slot, struct file *f, s64 length)
{
	arg_file_path(b, SECURITY_FILE_TRUNCATE__PATHNAME, slot, f);
	arg_u64(b, SECURITY_FILE_TRUNCATE__LENGTH, (u64)length);
	file_identity(b, SECURITY_FILE_TRUNCATE__DEV, f);
}

statfn void derive_security_file_truncate(struct derive_ctx *dc)
{
	if (dc->ret != 0)
		return;
	struct file *f = task_fd_file(dc->t, (u32)derive_arg(dc, 0));
	s64 length = (s64)derive_arg(dc, 1);
	if (!f || !file_truncate_may_pass(SLOT_SYS_EXIT, length) || !derive_begin(dc, EVENT_SECURITY_FILE_TRUNCATE))
		return;
	file_truncate_args(dc->b, SLOT_SYS_EXIT, f, length);
	submit(dc->b, dc->cfg);
}

#endif
