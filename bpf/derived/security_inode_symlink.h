/* SPDX-License-Identifier: GPL-2.0 */
/*
 * security_inode_symlink: a successful symlink/symlinkat (i386 ones
 * included). linkpath absolute from where the kernel looked it up
 * (user_path_at); target is the link's content, as written.
 */
#ifndef TRACEE_DERIVED_SECURITY_INODE_SYMLINK_H
#define TRACEE_DERIVED_SECURITY_INODE_SYMLINK_H

#include "../lib/derive.h"

statfn void derive_security_inode_symlink(struct derive_ctx *dc)
{
	if (dc->ret != 0 || !derive_begin(dc, EVENT_SECURITY_INODE_SYMLINK))
		return;
	if (dc->sc->nr == __NR_symlinkat)
		arg_path_at(dc, SECURITY_INODE_SYMLINK__LINKPATH, (int)derive_arg(dc, 1), derive_arg(dc, 2));
	else
		arg_path_at(dc, SECURITY_INODE_SYMLINK__LINKPATH, AT_FDCWD, derive_arg(dc, 1));
	arg_str(dc->b, SECURITY_INODE_SYMLINK__TARGET, (const void *)derive_arg(dc, 0), true);
	submit(dc->b, dc->cfg);
}

#endif
