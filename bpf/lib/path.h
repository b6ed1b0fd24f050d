/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Absolute paths from a dentry and mount: walk d_parent up to the mount root,
 * cross to the parent mount at mount points, stop at the root of the tree.
 * Names are written backwards from the end of a per-CPU buffer. Bounded by
 * MAX_PATH_COMPONENTS (bpf_loop) and PATH_HALF bytes; a longer path is cut at
 * the front, and the cut is marked: the path starts with "\u2026/" (an
 * ellipsis, never the head of a resolved absolute path) and the walk reports
 * it (arg_file_path flags the record). Pseudo files (memfd:NAME) keep their
 * bare name, as the kernel prints them.
 */
#ifndef TRACEE_PATH_H
#define TRACEE_PATH_H

#include "common.h"
#include "buffer.h"

struct walk_ctx {
	struct dentry *d;
	struct mount *mnt;
	struct dentry *mnt_root;
	u32 slot;
	u32 pos; /* start of the path written so far */
	bool truncated;
	bool done; /* reached the root (or a pseudo file's name) */
};

/* The mark of a path cut at the front: U+2026 HORIZONTAL ELLIPSIS. */
#define CUT_MARK_LEN 3

statfn struct mount *real_mount(struct vfsmount *vm)
{
	return (void *)vm - bpf_core_field_offset(struct mount, mnt);
}

static long walk_cb(u32 i, struct walk_ctx *w)
{
	struct dentry *d = w->d; /* a BTF pointer: direct reads, no helper calls */
	struct dentry *parent = RD(d, d_parent);

	struct mount *mnt = w->mnt; /* a local: BPF_CORE_READ must not relocate walk_ctx */

	/* a pseudo dentry (memfd, anon inode) is its own parent below no mount root: keep its bare name */
	bool pseudo = d == parent && d != w->mnt_root;

	if (!pseudo && (d == w->mnt_root || d == parent)) {
		struct mount *mp = BPF_CORE_READ(mnt, mnt_parent);
		if (d == w->mnt_root && mp != mnt) {
			w->d = AS_BTF(BPF_CORE_READ(mnt, mnt_mountpoint), struct dentry);
			w->mnt = mp;
			w->mnt_root = BPF_CORE_READ(mp, mnt.mnt_root);
			return 0;
		}
		w->done = true;
		return 1;
	}

	u32 slot = w->slot;
	struct path_buf *pb = bpf_map_lookup_elem(&path_scratch, &slot);
	if (!pb)
		return 1;
	u32 len = RD(d, d_name.len);
	const unsigned char *name = RD(d, d_name.name);
	len &= 255;
	if (len + 1 + CUT_MARK_LEN > w->pos) { /* keep room for the cut mark */
		w->truncated = true;
		return 1;
	}
	u32 pos = w->pos - len;
	bpf_probe_read_kernel(&pb->buf[pos & (PATH_HALF - 1)], len, name);
	if (pseudo) {
		w->pos = pos;
		w->done = true;
		return 1;
	}
	pos--;
	pb->buf[pos & (PATH_HALF - 1)] = '/';
	w->pos = pos;
	w->d = parent;
	return 0;
}

/*
 * Writes the path of (vm, d) into path_scratch[slot] and returns a pointer to
 * its first byte (NUL-terminated), or NULL.
 */
/*
 * Walks (vm, d) into path_scratch[slot] in front of pos, where the caller
 * has already written the rest of the string (at least its NUL).
 */
statfn const char *resolve_path_before(struct path_buf *pb, u32 slot, struct vfsmount *vm,
				       struct dentry *d, u32 pos, bool *truncated)
{
	struct walk_ctx w = {
		.d = AS_BTF(d, struct dentry),
		.mnt = real_mount(vm),
		.mnt_root = BPF_CORE_READ(vm, mnt_root),
		.slot = slot,
		.pos = pos,
	};
	bpf_loop(MAX_PATH_COMPONENTS, walk_cb, &w, 0);
	if (w.pos == PATH_HALF - 1) {
		w.pos--;
		pb->buf[w.pos & (PATH_HALF - 1)] = '/';
	}
	/* cut: out of room, or deeper than MAX_PATH_COMPONENTS */
	bool cut = w.truncated || !w.done;
	if (cut && w.pos >= CUT_MARK_LEN) {
		w.pos -= CUT_MARK_LEN;
		pb->buf[w.pos & (PATH_HALF - 1)] = 0xe2;
		pb->buf[(w.pos + 1) & (PATH_HALF - 1)] = 0x80;
		pb->buf[(w.pos + 2) & (PATH_HALF - 1)] = 0xa6;
	}
	if (truncated)
		*truncated = cut;
	return &pb->buf[w.pos & (PATH_HALF - 1)];
}

statfn const char *resolve_path(u32 slot, struct vfsmount *vm, struct dentry *d, bool *truncated)
{
	struct path_buf *pb = bpf_map_lookup_elem(&path_scratch, &slot);
	if (!pb || !d)
		return NULL;
	pb->buf[PATH_HALF - 1] = 0;
	return resolve_path_before(pb, slot, vm, d, PATH_HALF - 1, truncated);
}

/* f's path for a capture's file name (no record to flag: a cut path keeps
 * its mark); events use arg_file_path. */
statfn const char *file_path(u32 slot, struct file *f)
{
	struct file *bf = AS_BTF(f, struct file);
	return resolve_path(slot, RD(bf, f_path.mnt), RD(bf, f_path.dentry), NULL);
}

/* Appends f's path as argument idx; a path cut at the front flags the record. */
statfn void arg_file_path(struct event_buf *b, u8 idx, u32 slot, struct file *f)
{
	bool cut = false;
	const char *p = NULL;
	if (f) {
		struct file *bf = AS_BTF(f, struct file);
		p = resolve_path(slot, RD(bf, f_path.mnt), RD(bf, f_path.dentry), &cut);
	}
	if (cut)
		mark_truncated(b);
	arg_str(b, idx, p, false);
}

/*
 * The file pointer in slot fd of an fd array (fdtable.fd). With BTF, a plain
 * load: the slot's address cast to a struct whose first member is a struct
 * file pointer (kiocb.ki_filp, at offset 0 since kiocb exists), so that the
 * load is one the verifier lets fault safely. That is the cost of every
 * open's check: the helper call it replaces was a fifth of the program's
 * time on an open/close loop (perf). The offset is checked at load: any
 * other layout, and the probe-read build, read through the helper.
 */
statfn struct file *fd_slot_file(struct file **fda, u32 fd)
{
	struct file *f = NULL;
#ifndef TRACEE_PROBE_READ
	if (bpf_core_field_offset(struct kiocb, ki_filp) == 0)
		return RD(AS_BTF(&fda[fd], struct kiocb), ki_filp);
#endif
	bpf_probe_read_kernel(&f, sizeof(f), &fda[fd]);
	return f;
}

/* The struct file behind fd in task t, or NULL. */
statfn struct file *task_fd_file(struct task_struct *t, u32 fd)
{
	struct fdtable *fdt = RD(t, files, fdt);
	if (!fdt)
		return NULL;
	u32 max = RD(fdt, max_fds);
	if (fd >= max)
		return NULL;
	return fd_slot_file(RD(fdt, fd), fd);
}

#define AT_FDCWD -100
#define MAX_NAME_AT 2048 /* longest name user_path_at joins to its directory */

/*
 * Where the kernel starts looking a user-supplied name up: the task's root
 * for an absolute name, else dirfd's file, or the cwd for AT_FDCWD.
 */
statfn bool lookup_start(struct task_struct *t, int dirfd, bool absolute, struct vfsmount **vm,
			 struct dentry **d)
{
	if (absolute || dirfd == AT_FDCWD) {
		struct fs_struct *fs = BPF_CORE_READ(t, fs);
		if (absolute) {
			*vm = BPF_CORE_READ(fs, root.mnt);
			*d = BPF_CORE_READ(fs, root.dentry);
		} else {
			*vm = BPF_CORE_READ(fs, pwd.mnt);
			*d = BPF_CORE_READ(fs, pwd.dentry);
		}
		return *d != NULL;
	}
	struct file *f = task_fd_file(t, dirfd);
	if (!f)
		return false;
	*vm = BPF_CORE_READ(f, f_path.mnt);
	*d = BPF_CORE_READ(f, f_path.dentry);
	return true;
}

/*
 * The absolute path of a name a syscall took relative to dirfd (the
 * *at() convention): the start directory's resolved path, then the name as
 * written (not normalised: ".." and symlinks inside it stay as given). An
 * empty name (AT_EMPTY_PATH) is dirfd's own file. NULL when the name or the
 * start cannot be read; *failed then says whether a read failed. *cut says
 * whether the name or the start's path was cut (see resolve_path_before).
 */
statfn const char *path_at(u32 slot, struct task_struct *t, int dirfd, const char *name, bool user, bool *failed,
			   bool *cut)
{
	struct path_buf *pb = bpf_map_lookup_elem(&path_scratch, &slot);
	*failed = false;
	*cut = false;
	if (!pb)
		return NULL;
	long n = user ? bpf_probe_read_user_str(&pb->buf[PATH_HALF], MAX_NAME_AT, name)
		      : bpf_probe_read_kernel_str(&pb->buf[PATH_HALF], MAX_NAME_AT, name); /* the kernel's copy (io_uring) */
	if (n <= 0) {
		*failed = true;
		return NULL;
	}
	if (n == MAX_NAME_AT) /* the name goes on past what was read */
		*cut = true;
	u64 len = n; /* with the NUL */
	BOUND_MASK(len, 4095);
	if (len > MAX_NAME_AT || len == 0)
		return NULL;
	bool absolute = pb->buf[PATH_HALF] == '/';
	struct vfsmount *vm;
	struct dentry *d;
	if (!lookup_start(t, dirfd, absolute, &vm, &d))
		return NULL;
	bool walk_cut = false;
	if (len == 1) { /* "": the start itself */
		const char *p = resolve_path(slot, vm, d, &walk_cut);
		*cut = *cut || walk_cut;
		return p;
	}
	u64 start = PATH_HALF - len;
	BOUND_MASK(start, 4095);
	if (bpf_probe_read_kernel(&pb->buf[start], len, &pb->buf[PATH_HALF])) {
		*failed = true;
		return NULL;
	}
	if (!absolute) {
		start--;
		BOUND_MASK(start, 4095);
		pb->buf[start] = '/';
	}
	const char *p = resolve_path_before(pb, slot, vm, d, start, &walk_cut);
	*cut = *cut || walk_cut;
	return p;
}

statfn const char *user_path_at(u32 slot, struct task_struct *t, int dirfd, const char *name, bool *failed,
				bool *cut)
{
	return path_at(slot, t, dirfd, name, true, failed, cut);
}

#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define S_IFREG 0100000

#endif
