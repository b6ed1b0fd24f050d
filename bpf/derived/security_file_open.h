/* SPDX-License-Identifier: GPL-2.0 */
/* security_file_open: the file behind a freshly opened fd, at sys_exit of open/openat/openat2/creat. */
#ifndef TRACEE_DERIVED_SECURITY_FILE_OPEN_H
#define TRACEE_DERIVED_SECURITY_FILE_OPEN_H

#include "../lib/derive.h"

/*
 * security_file_open: pathname, flags, dev, inode, syscall_pathname, fs_magic,
 * inode_mode, watched_dir. fs_magic and inode_mode say what the file is (a
 * procfs mem file is PROC_SUPER_MAGIC and S_IFREG whatever mount it was
 * reached through); watched_dir is the canonical path of the watched
 * directory the file is in (lib/maps.h), "" for none.
 */
statfn void derive_file_open(struct event_buf *b, struct config *cfg, struct file *f,
			     struct sysc *sc)
{
	begin_derived(b, EVENT_SECURITY_FILE_OPEN, sc);
	arg_str(b, 0, file_path(SLOT_SYS_EXIT, f), false);
	arg_u32(b, 1, BPF_CORE_READ(f, f_flags));
	file_identity(b, 2, f);
	u32 nr = sc->nr;
	u64 p = (nr == __NR_openat || nr == __NR_openat2) ? sc->a[1] : sc->a[0];
	if (nr == __NR_open_by_handle_at)
		p = 0; /* a handle, no name */
	arg_str(b, 4, (const void *)p, true);
	struct inode *ino = BPF_CORE_READ(f, f_inode);
	arg_u32(b, 5, BPF_CORE_READ(ino, i_sb, s_magic));
	arg_u32(b, 6, BPF_CORE_READ(ino, i_mode));
	arg_str(b, 7, watched_dir_of(BPF_CORE_READ(f, f_path.dentry)), false);
	submit(b, cfg);
}

#endif
