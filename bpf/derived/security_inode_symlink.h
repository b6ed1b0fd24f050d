/* SPDX-License-Identifier: GPL-2.0 */
/*
 * security_inode_symlink: a successful symlink/symlinkat (i386 ones
 * included). linkpath absolute from where the kernel looked it up
 * (user_path_at); target is the link's content, as written. watched_dir:
 * the watched directory the link is in, by identity (lib/dirwalk.h).
 */
#ifndef TRACEE_DERIVED_SECURITY_INODE_SYMLINK_H
#define TRACEE_DERIVED_SECURITY_INODE_SYMLINK_H

#include "../lib/derive.h"

statfn void derive_security_inode_symlink(struct derive_ctx *dc)
{
	if (dc->ret != 0 || !derive_begin(dc, EVENT_SECURITY_INODE_SYMLINK))
		return;
	int dirfd = dc->sc->nr == __NR_symlinkat ? (int)derive_arg(dc, 1) : AT_FDCWD;
	u64 linkpath = dc->sc->nr == __NR_symlinkat ? derive_arg(dc, 2) : derive_arg(dc, 1);
	arg_path_at(dc, SECURITY_INODE_SYMLINK__LINKPATH, dirfd, linkpath);
	arg_str(dc->b, SECURITY_INODE_SYMLINK__TARGET, (const void *)derive_arg(dc, 0), true);
	arg_dest_watched_dir(dc, SECURITY_INODE_SYMLINK__WATCHED_DIR, dirfd, linkpath);
	submit(dc->b, dc->cfg);
}

#endif
