/* SPDX-License-Identifier: GPL-2.0 */
/*
 * security_inode_rename: a successful rename, renameat or renameat2, with
 * both paths absolute. The directory each path is relative to (its dirfd's
 * file, the cwd for AT_FDCWD and rename, the task's root for an absolute
 * path) is resolved by the dentry walk, as security_file_open resolves its
 * file (symlinks, bind mounts and /proc/PID/cwd-style routes resolve to the
 * real directory), and the path as passed is appended. dev and inode are the
 * renamed object's when the new name is one component of that directory: the
 * kernel's d_move has just made it the directory's first child; otherwise 0.
 */
#ifndef TRACEE_DERIVED_SECURITY_INODE_RENAME_H
#define TRACEE_DERIVED_SECURITY_INODE_RENAME_H

#include "../lib/derive.h"

#define RENAME_AT_FDCWD -100

/* Only the fields read here (CO-RE flavours of the kernel's types). */
struct fs_struct___rename {
	struct path root, pwd;
} __attribute__((preserve_access_index));

struct task_struct___rename {
	struct fs_struct___rename *fs;
} __attribute__((preserve_access_index));

struct hlist_node___rename {
	struct hlist_node___rename *next;
} __attribute__((preserve_access_index));

struct hlist_head___rename {
	struct hlist_node___rename *first;
} __attribute__((preserve_access_index));

struct dentry___rename {
	struct hlist_head___rename d_children; /* Linux 6.8 and later */
	struct hlist_node___rename d_sib;
} __attribute__((preserve_access_index));

/* The directory a path argument is relative to. */
statfn bool rename_dir(struct derive_ctx *dc, long dirfd, bool absolute, struct path *dir)
{
	struct task_struct___rename *t = (void *)dc->t;
	if (absolute) {
		dir->mnt = BPF_CORE_READ(t, fs, root.mnt);
		dir->dentry = BPF_CORE_READ(t, fs, root.dentry);
	} else if ((int)dirfd == RENAME_AT_FDCWD) {
		dir->mnt = BPF_CORE_READ(t, fs, pwd.mnt);
		dir->dentry = BPF_CORE_READ(t, fs, pwd.dentry);
	} else {
		struct file *f = task_fd_file(dc->t, (u32)dirfd);
		if (!f)
			return false;
		dir->mnt = BPF_CORE_READ(f, f_path.mnt);
		dir->dentry = BPF_CORE_READ(f, f_path.dentry);
	}
	return dir->dentry != NULL;
}

/*
 * Appends argument idx: the directory's path, then the user's path, composed
 * in path_scratch (the directory ends at PATH_HALF - 1, the user's path is
 * read right after it). Returns the directory's dentry when the user's path
 * was relative, for the renamed-object lookup, and its length in *ulen.
 */
statfn struct dentry *rename_arg(struct derive_ctx *dc, u8 idx, long dirfd, const char *upath, u32 *ulen)
{
	u32 key = SLOT_SYS_EXIT;
	char c = 0;
	struct path dir = {};
	*ulen = 0;
	if (bpf_probe_read_user(&c, 1, upath) ||
	    !rename_dir(dc, dirfd, c == '/', &dir)) {
		read_failed(dc->b);
		arg_str(dc->b, idx, upath, true);
		return NULL;
	}
	const char *d = resolve_path(SLOT_SYS_EXIT, dir.mnt, dir.dentry, NULL);
	struct path_buf *pb = bpf_map_lookup_elem(&path_scratch, &key);
	if (!d || !pb) {
		read_failed(dc->b);
		return NULL;
	}
	bool root = d[0] == '/' && d[1] == 0;
	u32 at = PATH_HALF;
	if (c == '/')
		at = root ? PATH_HALF - 2 : PATH_HALF - 1; /* the user's path brings its '/' */
	else if (root)
		at = PATH_HALF - 1;
	else
		pb->buf[PATH_HALF - 1] = '/';
	if (at > PATH_HALF)
		return NULL;
	long n = bpf_probe_read_user_str(&pb->buf[at], PATH_HALF, upath);
	if (n <= 0) {
		read_failed(dc->b);
		pb->buf[at] = 0;
	}
	arg_str(dc->b, idx, d, false);
	if (c == '/' || n <= 1)
		return NULL;
	*ulen = n - 1;
	return dir.dentry;
}

struct name_cmp {
	const char *a; /* the kernel's name, in the record's slack */
	const char *b; /* the user's name, in path_scratch */
	u32 len;
	bool same;
};

static long name_cmp_cb(u32 i, struct name_cmp *nc)
{
	if (i >= nc->len)
		return 1;
	if (nc->a[i & 255] != nc->b[i & 255]) {
		nc->same = false;
		return 1;
	}
	return 0;
}

/* dev and inode of dir's newest child when its name is the user's (one component). */
statfn void renamed_identity(struct derive_ctx *dc, struct dentry *dir, u32 ulen)
{
	u64 dev = 0, ino = 0;
	u32 key = SLOT_SYS_EXIT;
	struct path_buf *pb = bpf_map_lookup_elem(&path_scratch, &key);
	struct dentry___rename *pd = (void *)dir;
	if (pb && dir && ulen > 0 && ulen < 256 && bpf_core_field_exists(pd->d_children)) {
		struct hlist_node___rename *first = BPF_CORE_READ(pd, d_children.first);
		struct dentry *child = first ? (void *)first - bpf_core_field_offset(struct dentry___rename, d_sib) : NULL;
		if (child && BPF_CORE_READ(child, d_name.len) == ulen) {
			/* the user's name starts right after the directory's '/' (or at the root's) */
			u32 at = pb->buf[PATH_HALF - 1] == '/' ? PATH_HALF : PATH_HALF - 1;
			char *kname = (char *)&dc->b->args[ARGS_HALF * 2]; /* slack, never submitted */
			struct name_cmp nc = { .a = kname, .b = &pb->buf[at], .len = ulen, .same = true };
			if (!bpf_probe_read_kernel(kname, ulen & 255, BPF_CORE_READ(child, d_name.name))) {
				bpf_loop(256, name_cmp_cb, &nc, 0);
				struct inode *inode = BPF_CORE_READ(child, d_inode);
				if (nc.same && inode) {
					dev = BPF_CORE_READ(inode, i_sb, s_dev);
					ino = BPF_CORE_READ(inode, i_ino);
				}
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
	long olddirfd = at ? (long)derive_arg(dc, 0) : RENAME_AT_FDCWD;
	long newdirfd = at ? (long)derive_arg(dc, 2) : RENAME_AT_FDCWD;
	const char *oldp = (const char *)(at ? derive_arg(dc, 1) : derive_arg(dc, 0));
	const char *newp = (const char *)(at ? derive_arg(dc, 3) : derive_arg(dc, 1));
	u32 ulen;
	rename_arg(dc, SECURITY_INODE_RENAME__OLD_PATH, olddirfd, oldp, &ulen);
	struct dentry *dir = rename_arg(dc, SECURITY_INODE_RENAME__NEW_PATH, newdirfd, newp, &ulen);
	renamed_identity(dc, dir, ulen);
	submit(dc->b, dc->cfg);
}

#endif
