/* SPDX-License-Identifier: GPL-2.0 */
/*
 * security_inode_rename: a successful rename, renameat or renameat2 (i386
 * ones included), with both paths absolute from where the kernel looked
 * them up (user_path_at: the directory — dirfd's file, the cwd for
 * AT_FDCWD and rename, the root for an absolute path — resolved by the
 * dentry walk, the path as passed appended). dev and inode are the renamed
 * object's when the new name is one component of that directory: the
 * kernel's d_move has just made it the directory's first child; else 0.
 * watched_dir: the watched directory the new name is in, by identity.
 */
#ifndef TRACEE_DERIVED_SECURITY_INODE_RENAME_H
#define TRACEE_DERIVED_SECURITY_INODE_RENAME_H

#include "../lib/derive.h"

/* The directory's children (Linux 6.8 and later): lib/dirwalk.h's CO-RE flavours. */

#define RENAME_NAME_MAX 256

struct name_cmp {
	const char *a, *b; /* the kernel's name and the user's, in the record's slack */
	u32 len;
	bool same;
};

static long name_cmp_cb(u32 i, struct name_cmp *nc)
{
	if (i >= nc->len)
		return 1;
	if (nc->a[i & (RENAME_NAME_MAX - 1)] != nc->b[i & (RENAME_NAME_MAX - 1)]) {
		nc->same = false;
		return 1;
	}
	return 0;
}

/*
 * dev and inode of the renamed object: the first child of the directory
 * the new name is relative to, when that child's name is the whole new name
 * (one component: a name holding '/' never equals a dentry's).
 */
statfn void renamed_identity(struct derive_ctx *dc, int dirfd, u64 newname)
{
	u64 dev = 0, ino = 0;
	/* the record's slack beyond 2 * ARGS_HALF is never submitted */
	char *uname = (char *)&dc->b->args[ARGS_HALF * 2];
	char *kname = uname + RENAME_NAME_MAX;
	long n = bpf_probe_read_user_str(uname, RENAME_NAME_MAX, (const void *)newname);
	struct vfsmount *vm;
	struct dentry *dir;
	if (n > 1 && uname[0] != '/' && bpf_core_field_exists(((struct dentry___dw *)0)->d_children) &&
	    lookup_start(dc->t, dirfd, false, &vm, &dir)) {
		u32 len = n - 1;
		struct dentry___dw *pd = (void *)dir;
		struct hlist_node___dw *first = BPF_CORE_READ(pd, d_children.first);
		struct dentry *child =
			first ? (void *)first - bpf_core_field_offset(struct dentry___dw, d_sib) : NULL;
		if (child && BPF_CORE_READ(child, d_name.len) == len &&
		    !bpf_probe_read_kernel(kname, len & (RENAME_NAME_MAX - 1), BPF_CORE_READ(child, d_name.name))) {
			struct name_cmp nc = { .a = kname, .b = uname, .len = len, .same = true };
			bpf_loop(RENAME_NAME_MAX, name_cmp_cb, &nc, 0);
			struct inode *inode = BPF_CORE_READ(child, d_inode);
			if (nc.same && inode) {
				dev = BPF_CORE_READ(inode, i_sb, s_dev);
				ino = BPF_CORE_READ(inode, i_ino);
			}
		}
	}
	arg_u32(dc->b, SECURITY_INODE_RENAME__DEV, dev);
	arg_u64(dc->b, SECURITY_INODE_RENAME__INODE, ino);
}

/* rename(oldpath, newpath), renameat(olddirfd, oldpath, newdirfd, newpath), renameat2(..., flags) */
statfn void derive_security_inode_rename(struct derive_ctx *dc)
{
	if (dc->ret != 0 || !derive_begin(dc, EVENT_SECURITY_INODE_RENAME))
		return;
	bool at = dc->sc->nr != __NR_rename;
	int olddirfd = at ? (int)derive_arg(dc, 0) : AT_FDCWD;
	int newdirfd = at ? (int)derive_arg(dc, 2) : AT_FDCWD;
	u64 oldname = at ? derive_arg(dc, 1) : derive_arg(dc, 0);
	u64 newname = at ? derive_arg(dc, 3) : derive_arg(dc, 1);
	arg_path_at(dc, SECURITY_INODE_RENAME__OLD_PATH, olddirfd, oldname);
	arg_path_at(dc, SECURITY_INODE_RENAME__NEW_PATH, newdirfd, newname);
	renamed_identity(dc, newdirfd, newname);
	arg_dest_watched_dir(dc, SECURITY_INODE_RENAME__WATCHED_DIR, newdirfd, newname);
	submit(dc->b, dc->cfg);
}

#endif
