/* SPDX-License-Identifier: GPL-2.0 */
/*
 * New names for files, at sys_exit of a successful link/linkat and
 * symlink/symlinkat (i386 ones included, lib/syscall.h): the names made
 * absolute from where the kernel looked them up (user_path_at), so a
 * relative name, a dirfd or a chroot does not change what a signature sees.
 *   security_inode_link:    old_path, new_path (linkat AT_EMPTY_PATH: the fd's file)
 *   security_inode_symlink: linkpath, target (the link's content, as written)
 */
#ifndef TRACEE_DERIVED_INODE_LINK_H
#define TRACEE_DERIVED_INODE_LINK_H

#include "../lib/derive.h"

statfn void arg_path_at(struct event_buf *b, u8 idx, struct task_struct *t, int dirfd, u64 name)
{
	bool failed;
	const char *p = user_path_at(SLOT_SYS_EXIT, t, dirfd, (const char *)name, &failed);
	if (failed)
		read_failed(b);
	arg_str(b, idx, p, false);
}

statfn void derive_inode_link(struct event_buf *b, struct config *cfg, struct task_struct *t, struct sysc *sc)
{
	begin_derived(b, EVENT_SECURITY_INODE_LINK, sc);
	if (sc->nr == __NR_linkat) {
		arg_path_at(b, 0, t, (int)sc->a[0], sc->a[1]);
		arg_path_at(b, 1, t, (int)sc->a[2], sc->a[3]);
	} else {
		arg_path_at(b, 0, t, AT_FDCWD, sc->a[0]);
		arg_path_at(b, 1, t, AT_FDCWD, sc->a[1]);
	}
	submit(b, cfg);
}

statfn void derive_inode_symlink(struct event_buf *b, struct config *cfg, struct task_struct *t, struct sysc *sc)
{
	begin_derived(b, EVENT_SECURITY_INODE_SYMLINK, sc);
	if (sc->nr == __NR_symlinkat)
		arg_path_at(b, 0, t, (int)sc->a[1], sc->a[2]);
	else
		arg_path_at(b, 0, t, AT_FDCWD, sc->a[1]);
	arg_str(b, 1, (const void *)sc->a[0], true);
	submit(b, cfg);
}

#endif
