/* SPDX-License-Identifier: GPL-2.0 */
/*
 * security_mmap_file: a successful mmap of a file (memfd, regular file,
 * shm object), at sys_exit of mmap (i386 mmap2 and old mmap arrive as mmap):
 * the file by identity (dev, inode, fs_magic), the mapping's flags and
 * protection. Two mappings of one file, one shared writable and one
 * executable, write code without ever having W+X memory (TRC-4).
 */
#ifndef TRACEE_DERIVED_SECURITY_MMAP_FILE_H
#define TRACEE_DERIVED_SECURITY_MMAP_FILE_H

#include "../lib/derive.h"
#include <linux/mman.h>

statfn void derive_security_mmap_file(struct derive_ctx *dc)
{
	if (dc->ret < 0 && dc->ret >= -4095)
		return;
	u64 flags = derive_arg(dc, 3);
	if (flags & MAP_ANONYMOUS)
		return;
	struct file *f = task_fd_file(dc->t, (u32)derive_arg(dc, 4));
	if (!f || !derive_begin(dc, EVENT_SECURITY_MMAP_FILE))
		return;
	struct event_buf *b = dc->b;
	arg_str(b, SECURITY_MMAP_FILE__PATHNAME, file_path(SLOT_SYS_EXIT, f), false);
	arg_u32(b, SECURITY_MMAP_FILE__FLAGS, (u32)flags);
	file_identity(b, SECURITY_MMAP_FILE__DEV, f);
	arg_u32(b, SECURITY_MMAP_FILE__PROT, (u32)derive_arg(dc, 2));
	arg_u32(b, SECURITY_MMAP_FILE__FS_MAGIC, BPF_CORE_READ(f, f_inode, i_sb, s_magic));
	submit(b, dc->cfg);
}

#endif
