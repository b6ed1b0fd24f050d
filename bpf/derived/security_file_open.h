/* SPDX-License-Identifier: GPL-2.0 */
/*
 * security_file_open: the file behind a freshly opened fd, at sys_exit of
 * open/openat/openat2/creat/open_by_handle_at (and io_uring opens,
 * hooks/io_uring.h). fs_magic and inode_mode say what the file is (a procfs
 * mem file is PROC_SUPER_MAGIC and S_IFREG whatever mount reached it);
 * watched_dir is the canonical path of the watched directory it is in
 * (lib/maps.h), "" for none.
 */
#ifndef TRACEE_DERIVED_SECURITY_FILE_OPEN_H
#define TRACEE_DERIVED_SECURITY_FILE_OPEN_H

#include "../lib/derive.h"
#include "../lib/pathgate.h"

#define OPEN_O_TRUNC 01000

/* O_TRUNC as the open requested it: the kernel clears it from f_flags once the
 * file is truncated, but clearing a file (a log) is what some detections
 * look for. creat() always truncates; openat2 carries it in struct open_how. */
statfn u32 requested_trunc(struct derive_ctx *dc)
{
	u64 flags = 0;
	u32 nr = dc->sc->nr;
	if (nr == __NR_creat)
		return OPEN_O_TRUNC;
	if (nr == __NR_open)
		flags = derive_arg(dc, 1);
	else if (nr == __NR_openat || nr == __NR_open_by_handle_at)
		flags = derive_arg(dc, 2);
	else if (nr == __NR_openat2)
		bpf_probe_read_user(&flags, sizeof(flags), (const void *)derive_arg(dc, 2));
	return flags & OPEN_O_TRUNC;
}

/*
 * Whether some policy can still want the open of f, from what is known
 * before the path is built (its type, the cheapest, was asked already): the
 * flags, what the file is (fs magic, mode, device, inode), the watched
 * directory and the path gate of the pathname patterns. Most opens on a
 * busy host stop here, at the cost of a pointer walk. Plain loads through
 * BTF pointers: no helper call before the filters.
 */
statfn bool file_open_may_pass(struct file *f, u32 flags, u32 slot)
{
	/* the file's type was asked before the call (security_file_open_worth) */
	f = AS_BTF(f, struct file);
	struct inode *ino = RD(f, f_inode);
	u32 mode = RD(ino, i_mode);
	struct df_pre *pre = df_pre_begin(slot, EVENT_SECURITY_FILE_OPEN);
	if (!pre)
		return true;
	pre->have = 1 << SECURITY_FILE_OPEN__FLAGS | 1 << SECURITY_FILE_OPEN__DEV | 1 << SECURITY_FILE_OPEN__INODE |
		    1 << SECURITY_FILE_OPEN__FS_MAGIC | 1 << SECURITY_FILE_OPEN__INODE_MODE;
	pre->vals[SECURITY_FILE_OPEN__FLAGS & (DF_ARGS - 1)] = flags;
	pre->vals[SECURITY_FILE_OPEN__DEV & (DF_ARGS - 1)] = RD(ino, i_sb, s_dev);
	pre->vals[SECURITY_FILE_OPEN__INODE & (DF_ARGS - 1)] = RD(ino, i_ino);
	pre->vals[SECURITY_FILE_OPEN__FS_MAGIC & (DF_ARGS - 1)] = RD(ino, i_sb, s_magic);
	pre->vals[SECURITY_FILE_OPEN__INODE_MODE & (DF_ARGS - 1)] = mode;
	/* watched_dir is one hash lookup, whose entry has the patterns it
	 * matches: rules on it decide in the same pass */
	struct dir_name *wd = watched_dir_entry(RD(f, f_path.dentry, d_parent));
	pre->kstr_src = SECURITY_FILE_OPEN__WATCHED_DIR;
	pre->kstr_known = 1;
	if (wd)
		pre->kstr_hits = wd->open_hits;
	else
		pre->kstr_null = 1; /* tracee_may_pass sets the hits from the event's entry */
	if (!tracee_may_pass(pre))
		return false;
	if (!(pre->gates & (1 << SECURITY_FILE_OPEN__PATHNAME)))
		return true;
	/* a global function takes scalars: the pointers as plain values */
	if (tracee_path_gate(pre, slot, (u64)BPF_CORE_READ(f, f_path.mnt), (u64)BPF_CORE_READ(f, f_path.dentry),
			     SECURITY_FILE_OPEN__PATHNAME))
		return true;
	/* refused by the gate, or undecided: then the path and the full filters */
	return !pre->gate_known;
}

/* pathname, flags (f_flags, plus O_TRUNC when requested), dev, inode, syscall_pathname */
statfn void security_file_open_body(struct derive_ctx *dc)
{
	if (dc->ret < 0)
		return;
	struct file *f = AS_BTF(task_fd_file(dc->t, dc->ret), struct file);
	if (!f)
		return;
	u32 flags = RD(f, f_flags) | requested_trunc(dc);
	if (!file_open_may_pass(f, flags, SLOT_SYS_EXIT) || !derive_begin(dc, EVENT_SECURITY_FILE_OPEN))
		return;
	struct event_buf *b = dc->b;
	arg_file_path(b, SECURITY_FILE_OPEN__PATHNAME, SLOT_SYS_EXIT, f);
	arg_u32(b, SECURITY_FILE_OPEN__FLAGS, flags);
	file_identity(b, SECURITY_FILE_OPEN__DEV, f);
	u32 nr = dc->sc->nr;
	const void *p = NULL; /* open_by_handle_at names no path */
	if (nr == __NR_openat || nr == __NR_openat2)
		p = (const void *)derive_arg(dc, 1);
	else if (nr != __NR_open_by_handle_at)
		p = (const void *)derive_arg(dc, 0);
	arg_str(b, SECURITY_FILE_OPEN__SYSCALL_PATHNAME, p, true);
	file_kind(b, f);
	submit(b, dc->cfg);
}

/*
 * Before the global call: a failed open, or a file whose type no rule takes
 * (an open of /dev/null, a directory, a pipe: most opens on a host), costs
 * a few loads here.
 */
statfn bool security_file_open_worth(struct derive_ctx *dc)
{
	if (dc->ret < 0)
		return false;
	struct file *f = task_fd_file(dc->t, dc->ret);
	if (!f)
		return false;
	return !df_mode_refuses(EVENT_SECURITY_FILE_OPEN, RD(AS_BTF(f, struct file), f_inode, i_mode));
}

DERIVE_GLOBAL_IF(security_file_open, security_file_open_worth)

#endif
