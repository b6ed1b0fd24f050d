/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The directory a name a syscall took (relative to a dirfd, the *at()
 * convention) puts its last component in, by identity: found in the dentry
 * cache the way the kernel's lookup went. The syscall has succeeded, so
 * every component is cached: from the lookup start (lookup_start: the root,
 * the cwd or dirfd's file), component by component through each directory's
 * children, down into what is mounted on a dentry (the current mount's
 * child mounts), and up for ".." (across mount roots). So a bind mount of
 * /etc, a second mount of its file system or a dirfd name the directory it
 * really is. A symlink inside the name is followed when its target is in
 * the inode (i_link: tmpfs, ext4's short links, ...), at most
 * DIRWALK_LINKS times. The walk gives up (NULL, *unresolved set) on
 * another symlink, a component not cached, a component longer than
 * NAME_MAX, a name longer than DIRWALK_NAME after following links, or after
 * DIRWALK_STEPS steps; only Linux 6.8 and later (hlist d_children).
 * Cost: a directory's children are scanned in the order the dcache keeps
 * them, DIRWALK_BATCH per step by length with plain loads; measured here
 * (loaded machine) a rename of absolute paths two levels below a directory
 * of 3000 cached entries costs about 0.1-0.3 ms more than without the walk;
 * a name of one component relative to a dirfd or the cwd costs no scan.
 */
#ifndef TRACEE_DIRWALK_H
#define TRACEE_DIRWALK_H

#include "path.h"

#define DIRWALK_NAME 4096  /* the name, with its NUL */
#define DIRWALK_KNAME 256  /* one component (NAME_MAX 255) */
#define DIRWALK_STEPS 16384 /* characters, children and child mounts visited */
#define DIRWALK_LINKS 8 /* symlinks followed */
#define DIRWALK_BATCH 8 /* children compared per step (direct reads where the kernel has them) */

/* The directory's children and the mount tree (Linux 6.8+), as CO-RE flavours. */
struct hlist_node___dw {
	struct hlist_node___dw *next;
} __attribute__((preserve_access_index));

struct hlist_head___dw {
	struct hlist_node___dw *first;
} __attribute__((preserve_access_index));

struct dentry___dw {
	struct qstr d_name;
	struct hlist_head___dw d_children;
	struct hlist_node___dw d_sib;
} __attribute__((preserve_access_index));

struct list_head___dw {
	struct list_head___dw *next;
} __attribute__((preserve_access_index));

struct mount___dw {
	struct list_head___dw mnt_mounts; /* child mounts, linked by their mnt_child */
	struct list_head___dw mnt_child;
} __attribute__((preserve_access_index));

/*
 * The walk's state lives in the scratch map, not on the stack: the verifier
 * does not track values in map memory, so it checks the bpf_loop callback
 * once instead of step by step.
 */
struct dirwalk {
	u64 cur, mnt; /* struct dentry *, struct mount * */
	u64 root, root_mnt; /* the task's root: ".." stays there, an absolute link starts there */
	u64 it;       /* DW_CHILD: a child's d_sib; DW_MOUNT: a child mount's mnt_child */
	u64 dir;      /* the result */
	u32 pos, start, len;
	u8 phase;
	u8 links; /* symlinks followed */
};

struct dirwalk_buf {
	char name[DIRWALK_NAME];
	char kname[DIRWALK_KNAME];
	char spliced[DIRWALK_NAME * 2]; /* a link's target and the rest of the name */
	struct dirwalk w;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct dirwalk_buf);
} dirwalk_scratch SEC(".maps");

enum dirwalk_phase {
	DW_SCAN,  /* reading the next component's characters */
	DW_CHILD, /* looking for it among cur's children */
	DW_NAME,  /* comparing the name of a child of its length */
	DW_MOUNT, /* looking for a mount on cur among mnt's child mounts */
};

struct dirwalk_ctx {
	struct dirwalk_buf *buf;
};

#define S_IFLNK 0120000

struct inode___dw {
	const char *i_link;
} __attribute__((preserve_access_index));

statfn struct dentry *dw_child_of(u64 sib)
{
	return sib ? (void *)(sib - bpf_core_field_offset(struct dentry___dw, d_sib)) : NULL;
}

statfn u64 dw_first_mount(u64 m)
{
	return (u64)BPF_CORE_READ((struct mount___dw *)m, mnt_mounts.next);
}

/* ".." of cur: up across mount roots, then to the parent (the roots stay). */
statfn void dw_up(struct dirwalk *w)
{
	struct dentry *cur = (void *)w->cur;
	struct mount *mnt = (void *)w->mnt;
	if (w->cur == w->root && w->mnt == w->root_mnt)
		return;
	for (int i = 0; i < 16; i++) {
		struct mount *mp = BPF_CORE_READ(mnt, mnt_parent);
		if (cur != BPF_CORE_READ(mnt, mnt.mnt_root) || mp == mnt)
			break;
		cur = BPF_CORE_READ(mnt, mnt_mountpoint);
		mnt = mp;
	}
	w->cur = (u64)BPF_CORE_READ(cur, d_parent);
	w->mnt = (u64)mnt;
}

/* Whether child is named buf->name[start, start+len). */
statfn bool dw_same_name(struct dirwalk_buf *buf, struct dentry *child)
{
	u32 len = buf->w.len;
	if (BPF_CORE_READ(child, d_name.len) != len || len == 0 || len >= DIRWALK_KNAME)
		return false;
	u64 n = len;
	BOUND_MASK(n, 255); /* DIRWALK_KNAME - 1 */
	if (bpf_probe_read_kernel(buf->kname, n, BPF_CORE_READ(child, d_name.name)))
		return false;
	u32 start = buf->w.start;
	for (u32 i = 0; i < DIRWALK_KNAME - 1; i++) {
		if (i >= len)
			return true;
		if (buf->kname[i] != buf->name[(start + i) & (DIRWALK_NAME - 1)])
			return false;
	}
	return true;
}

/*
 * Follows the symlink ino met in cur: the name becomes its target and the
 * rest of the name, walked from cur (or the root, for an absolute target).
 * Returns 1 (given up) when the target is not in the inode or too long.
 */
statfn long dw_follow(struct dirwalk_buf *buf, struct inode___dw *ino)
{
	struct dirwalk *w = &buf->w;
	const char *target = BPF_CORE_READ(ino, i_link);
	if (!target || ++w->links > DIRWALK_LINKS)
		return 1;
	long n = bpf_probe_read_kernel_str(buf->spliced, DIRWALK_NAME, target);
	if (n <= 1)
		return 1;
	u64 off = n - 1;
	BOUND_MASK(off, 4095); /* DIRWALK_NAME - 1 */
	u64 rest = w->pos;
	BOUND_MASK(rest, 4095);
	if (bpf_probe_read_kernel_str(&buf->spliced[off], DIRWALK_NAME, &buf->name[rest]) <= 0)
		return 1;
	n = bpf_probe_read_kernel_str(buf->name, DIRWALK_NAME, buf->spliced);
	if (n <= 0 || n >= DIRWALK_NAME)
		return 1; /* cut: given up */
	if (buf->name[0] == '/') {
		w->cur = w->root;
		w->mnt = w->root_mnt;
	}
	w->pos = 0;
	w->start = 0;
	w->len = 0;
	w->phase = DW_SCAN;
	return 0;
}

/* One step; returns 1 when done (w->dir set, or 0: given up). */
static long dirwalk_cb(u32 i, struct dirwalk_ctx *ctx)
{
	struct dirwalk_buf *buf = ctx->buf;
	struct dirwalk *w = &buf->w;
	if (w->phase == DW_SCAN) {
		char c = buf->name[w->pos & (DIRWALK_NAME - 1)];
		if (c != '/' && c != 0) {
			w->len++;
			w->pos++;
			return w->len >= DIRWALK_KNAME || w->pos >= DIRWALK_NAME; /* too long: given up */
		}
		if (c == 0) { /* the last component: cur is its directory ("dir/": none, given up) */
			w->dir = w->len ? w->cur : 0;
			return 1;
		}
		/* a component ends at '/' */
		u32 s = w->start & (DIRWALK_NAME - 1);
		if (w->len == 0 || (w->len == 1 && buf->name[s] == '.')) {
			/* "//" or "." */
		} else if (w->len == 2 && buf->name[s] == '.' && buf->name[(s + 1) & (DIRWALK_NAME - 1)] == '.') {
			dw_up(w);
		} else {
			struct dentry___dw *d = (void *)w->cur;
			w->it = (u64)BPF_CORE_READ(d, d_children.first);
			w->phase = DW_CHILD;
			return 0;
		}
		w->pos++;
		w->start = w->pos;
		w->len = 0;
		return 0;
	}
	if (w->phase == DW_CHILD) {
		/* DIRWALK_BATCH children per step, by length (plain loads where
		 * the kernel has them); one of the right length: DW_NAME */
		u64 it = w->it;
		u32 len = w->len;
		for (int k = 0; k < DIRWALK_BATCH; k++) {
			if (!it)
				return 1; /* not cached: given up */
			struct dentry___dw *c = (void *)AS_BTF((void *)dw_child_of(it), struct dentry);
			if (RD(c, d_name.len) == len) {
				w->phase = DW_NAME;
				break;
			}
			it = (u64)RD(c, d_sib.next);
		}
		w->it = it;
		return 0;
	}
	if (w->phase == DW_NAME) {
		struct dentry *child = dw_child_of(w->it);
		if (!dw_same_name(buf, child)) {
			struct hlist_node___dw *sib = (void *)w->it;
			w->it = (u64)BPF_CORE_READ(sib, next);
			w->phase = DW_CHILD;
			return 0;
		}
		struct inode *ino = BPF_CORE_READ(child, d_inode);
		if (!ino)
			return 1; /* negative: given up */
		if ((BPF_CORE_READ(ino, i_mode) & S_IFMT) == S_IFLNK)
			return dw_follow(buf, (void *)ino);
		w->cur = (u64)child;
		w->it = dw_first_mount(w->mnt);
		w->phase = DW_MOUNT;
		return 0;
	}
	/* DW_MOUNT: what is mounted on cur, if anything (stacked mounts: again on its root) */
	struct mount___dw *pm = (void *)w->mnt;
	if (!w->it || w->it == (u64)&pm->mnt_mounts) {
		w->pos++; /* past the '/' */
		w->start = w->pos;
		w->len = 0;
		w->phase = DW_SCAN;
		return 0;
	}
	struct mount *m = (void *)(w->it - bpf_core_field_offset(struct mount___dw, mnt_child));
	if ((u64)BPF_CORE_READ(m, mnt_mountpoint) == w->cur) {
		w->mnt = (u64)m;
		w->cur = (u64)BPF_CORE_READ(m, mnt.mnt_root);
		w->it = dw_first_mount(w->mnt);
		return 0;
	}
	struct list_head___dw *n = (void *)w->it;
	w->it = (u64)BPF_CORE_READ(n, next);
	return 0;
}

/* dest_dir's flags, in the low bits of its result (dentries are aligned). */
#define DEST_FAILED 1     /* the name could not be read */
#define DEST_UNRESOLVED 2 /* no directory: the walk gave up */

/*
 * The directory (struct dentry *) the last component of the current task's
 * name (a user pointer, or with user 0 a kernel one: io_uring's copy;
 * relative to dirfd) is in, or 0, OR-ed with
 * DEST_FAILED and DEST_UNRESOLVED. A global function, so that the verifier
 * checks it (and its bpf_loop callback) once rather than at each of the
 * events that call it.
 */
__noinline u64 tracee_dest_dir(int dirfd, u64 name, int user)
{
	u32 zero = 0;
	struct dirwalk_buf *buf = bpf_map_lookup_elem(&dirwalk_scratch, &zero);
	if (!buf)
		return DEST_UNRESOLVED;
	long n = user ? bpf_probe_read_user_str(buf->name, DIRWALK_NAME, (const void *)name)
		      : bpf_probe_read_kernel_str(buf->name, DIRWALK_NAME, (const void *)name);
	if (n <= 0)
		return DEST_FAILED | DEST_UNRESOLVED;
	if (n == 1)
		return DEST_UNRESOLVED;
	bool absolute = buf->name[0] == '/';
	struct task_struct *t = CURRENT_TASK;
	struct vfsmount *vm;
	struct dentry *d;
	if (!bpf_core_field_exists(((struct dentry___dw *)0)->d_children) ||
	    !lookup_start(t, dirfd, absolute, &vm, &d))
		return DEST_UNRESOLVED;
	struct fs_struct *fs = BPF_CORE_READ(t, fs);
	buf->w = (struct dirwalk){ .cur = (u64)d, .mnt = (u64)real_mount(vm), .phase = DW_SCAN,
				   .root = (u64)BPF_CORE_READ(fs, root.dentry),
				   .root_mnt = (u64)real_mount(BPF_CORE_READ(fs, root.mnt)) };
	struct dirwalk_ctx ctx = { .buf = buf };
	bpf_loop(DIRWALK_STEPS, dirwalk_cb, &ctx, 0);
	u64 dir = buf->w.dir;
	return dir ? dir & ~3ULL : DEST_UNRESOLVED;
}

/* The canonical path of dir when it is a watched directory, or NULL. */
statfn struct dir_name *watched_dir_entry(struct dentry *dir)
{
	dir = AS_BTF(dir, struct dentry);
	struct inode *ino = dir ? RD(dir, d_inode) : NULL;
	if (!ino)
		return NULL;
	struct dir_id key = {.dev = RD(ino, i_sb, s_dev), .ino = RD(ino, i_ino)};
	return bpf_map_lookup_elem(&watched_dirs, &key);
}

statfn const char *watched_dir_path(struct dentry *dir)
{
	struct dir_name *dn = watched_dir_entry(dir);
	return dn ? dn->path : NULL;
}


/*
 * Appends arguments idx (watched_dir) and idx + 1 (dir_unresolved) of b:
 * the watched directory the last component of name (relative to dirfd; a
 * user pointer unless user is false) goes in, by the directory's identity.
 */
statfn void arg_dest_watched(struct event_buf *b, u8 idx, int dirfd, u64 name, bool user)
{
	u64 r = tracee_dest_dir(dirfd, name, user);
	if (r & DEST_FAILED)
		read_failed(b);
	arg_str(b, idx, watched_dir_path((struct dentry *)(r & ~3ULL)), false);
	arg_u8(b, idx + 1, !!(r & DEST_UNRESOLVED));
}

#endif
