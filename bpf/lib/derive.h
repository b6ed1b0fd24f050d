/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Events derived at sys_exit (bpf/derived/<event>.h): kernel state that user
 * space cannot see, read while the syscall's result is fresh. Each defines
 * derive_<event>(struct derive_ctx *), which checks its cheap preconditions,
 * then derive_begin()s its record, appends its arguments (indexes from
 * events_gen.h) and submits it. derive_at_sys_exit (derived/derived_gen.h,
 * generated from the schema) calls the ones the syscall is selected for.
 */
#ifndef TRACEE_DERIVE_H
#define TRACEE_DERIVE_H

#include "common.h"
#include "context.h"
#include "filter.h"
#include "buffer.h"
#include "path.h"
#include "dirwalk.h"
#include "submit.h"
#include "syscall_args.h"
#include <asm/unistd_64.h>

/* One syscall's exit, shared by its event and the events derived from it. */
struct derive_ctx {
	struct event_buf *b; /* SLOT_SYS_EXIT scratch record */
	struct config *cfg;
	struct task_struct *t;
	struct sysc *sc; /* the syscall in the x86_64 ABI, arguments loaded (lib/syscall.h) */
	long ret;
	int state; /* 0: header not built yet, 1: built and in scope, -1: out of scope */
};

/*
 * The header of the current task's syscall nr in b, and the scope filters
 * on it: 1 in scope, -1 not. A global function: the header and the scope
 * are most of what each derivation inlines, and inlined they were verified
 * again on every path into every derivation (the -mcpu=v3 build's sys_exit
 * passed the verifier's budget).
 */
__noinline int tracee_header(struct event_buf *b, u32 nr)
{
	struct config *cfg = get_config();
	if (!b || !cfg)
		return -1;
	fill_ctx(&b->ctx, CURRENT_TASK, nr, nr);
	return should_trace(cfg, &b->ctx) ? 1 : -1;
}

/* Builds the record header and applies the scope filters, once per sys_exit. */
statfn bool derive_header(struct derive_ctx *dc)
{
	if (dc->state == 0)
		dc->state = tracee_header(dc->b, dc->sc->nr) > 0 ? 1 : -1;
	return dc->state > 0;
}

/* Starts the record of derived event id; false when the task is out of scope. */
statfn bool derive_begin(struct derive_ctx *dc, s32 id)
{
	if (!derive_header(dc))
		return false;
	buf_reset(dc->b);
	mark_compat(dc->b, dc->sc);
	dc->b->ctx.event_id = id;
	dc->b->ctx.retval = 0;
	return true;
}

/*
 * DERIVE_GLOBAL_IF(event, worth) defines derive_<event> as a call of
 * <event>_body through a global function, which the verifier checks once,
 * made only when worth(dc), an inline check of what refuses most calls
 * cheaply (the call and its scratch lookups cost more than such a check).
 * Inlined, each derivation is verified again for every state that reaches
 * it, and the sys_exit program passed the verifier's budget of 1M
 * instructions in the -mcpu=v3 build. The function gets the syscall and
 * the header's state (derive_ctx holds pointers, which a global function
 * cannot take). It does not hand the state back: each syscall has one
 * derivation, and an unknown state would make the verifier walk every
 * later one both ways.
 */
#define DERIVE_GLOBAL_IF(event, worth)                                                                   \
	__noinline int tracee_derive_##event(struct sysc *sc, long ret, int state)                          \
	{                                                                                                \
		struct derive_ctx dc = {                                                                 \
			.b = get_buf(SLOT_SYS_EXIT), .cfg = get_config(), .t = CURRENT_TASK, .sc = sc, .ret = ret, \
			.state = state,                                                                  \
		};                                                                                       \
		if (sc && dc.b && dc.cfg)                                                                \
			event##_body(&dc);                                                               \
		return 0;                                                                                \
	}                                                                                                \
	statfn void derive_##event(struct derive_ctx *dc)                                                \
	{                                                                                                \
		if (worth(dc))                                                                           \
			tracee_derive_##event(dc->sc, dc->ret, dc->state);                               \
	}

/* The syscall's argument i (x86_64 order, also for an i386 call). */
statfn u64 derive_arg(struct derive_ctx *dc, int i)
{
	return dc->sc->a[i]; /* i is a constant in every caller */
}

/*
 * Appends argument idx: a name the syscall took relative to dirfd (the
 * *at() convention), made absolute from where the kernel looked it up
 * (user_path_at in path.h). A failed read is counted and flagged, and so
 * is a cut name or path.
 */
statfn void arg_path_at(struct derive_ctx *dc, u8 idx, int dirfd, u64 name)
{
	bool failed, cut;
	const char *p = user_path_at(SLOT_SYS_EXIT, dc->t, dirfd, (const char *)name, &failed, &cut);
	if (failed)
		read_failed(dc->b);
	if (cut)
		mark_truncated(dc->b);
	arg_str(dc->b, idx, p, false);
}

/*
 * Appends arguments idx (watched_dir) and idx + 1 (dir_unresolved): the
 * watched directory the last component of name (relative to dirfd) goes
 * in, by the directory's identity (lib/dirwalk.h).
 */
statfn void arg_dest_watched_dir(struct derive_ctx *dc, u8 idx, int dirfd, u64 name)
{
	arg_dest_watched(dc->b, idx, dirfd, name, true);
}

/* dev and inode of the file's inode, at dev_idx and dev_idx + 1. */
statfn void file_identity(struct event_buf *b, u8 dev_idx, struct file *f)
{
	struct inode *ino = RD(AS_BTF(f, struct file), f_inode);
	arg_u32(b, dev_idx, RD(ino, i_sb, s_dev));
	arg_u64(b, dev_idx + 1, RD(ino, i_ino));
}

/* The canonical path of the watched directory d is in, or NULL. */
statfn const char *watched_dir_of(struct dentry *d);

/* security_file_open's fs_magic, inode_mode and watched_dir of f. */
statfn void file_kind(struct event_buf *b, struct file *f)
{
	f = AS_BTF(f, struct file);
	struct inode *ino = RD(f, f_inode);
	arg_u32(b, SECURITY_FILE_OPEN__FS_MAGIC, RD(ino, i_sb, s_magic));
	arg_u32(b, SECURITY_FILE_OPEN__INODE_MODE, RD(ino, i_mode));
	arg_str(b, SECURITY_FILE_OPEN__WATCHED_DIR, watched_dir_of(RD(f, f_path.dentry)), false);
}

/* The canonical path of the watched directory d is in, or NULL. */
statfn const char *watched_dir_of(struct dentry *d)
{
	return watched_dir_path(RD(AS_BTF(d, struct dentry), d_parent));
}

#endif
