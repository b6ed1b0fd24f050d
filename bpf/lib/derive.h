/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for events derived at sys_exit (bpf/derived/): kernel state that
 * user space cannot see, read while the syscall's result is fresh.
 */
#ifndef TRACEE_DERIVE_H
#define TRACEE_DERIVE_H

#include "common.h"
#include "buffer.h"
#include "path.h"
#include "submit.h"
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

#endif
