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

/*
 * The policies' filters on flags and prot, before the path is built: a
 * mapping no rule takes (a loader's read-only or private writable
 * mappings, most of them) costs no path.
 */
statfn int mmap_file_may_pass(u32 flags, u32 prot)
{
	struct df_pre *pre = df_pre_begin(SLOT_SYS_EXIT, EVENT_SECURITY_MMAP_FILE);
	if (!pre)
		return 1;
	pre->have = 1 << SECURITY_MMAP_FILE__FLAGS | 1 << SECURITY_MMAP_FILE__PROT;
	pre->vals[SECURITY_MMAP_FILE__FLAGS & (DF_ARGS - 1)] = flags;
	pre->vals[SECURITY_MMAP_FILE__PROT & (DF_ARGS - 1)] = prot;
	return tracee_may_pass(pre);
}

/* A successful mapping of a file. */
statfn bool mmap_file_worth(struct derive_ctx *dc)
{
	return !(dc->ret < 0 && dc->ret >= -4095) && !(derive_arg(dc, 3) & MAP_ANONYMOUS);
}

/* Called when mmap_file_worth holds. */
statfn void security_mmap_file_body(struct derive_ctx *dc)
{
	u64 flags = derive_arg(dc, 3);
	struct file *f = task_fd_file(dc->t, (u32)derive_arg(dc, 4));
	if (!f)
		return;
	if (!mmap_file_may_pass((u32)flags, (u32)derive_arg(dc, 2)))
		return;
	if (!derive_begin(dc, EVENT_SECURITY_MMAP_FILE))
		return;
	struct event_buf *b = dc->b;
	arg_file_path(b, SECURITY_MMAP_FILE__PATHNAME, SLOT_SYS_EXIT, f);
	arg_u32(b, SECURITY_MMAP_FILE__FLAGS, (u32)flags);
	file_identity(b, SECURITY_MMAP_FILE__DEV, f);
	arg_u32(b, SECURITY_MMAP_FILE__PROT, (u32)derive_arg(dc, 2));
	arg_u32(b, SECURITY_MMAP_FILE__FS_MAGIC, RD(AS_BTF(f, struct file), f_inode, i_sb, s_magic));
	submit(b, dc->cfg);
}

DERIVE_GLOBAL_IF(security_mmap_file, mmap_file_worth)

#endif
