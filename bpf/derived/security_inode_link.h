/* SPDX-License-Identifier: GPL-2.0 */
/*
 * security_inode_link: a successful link/linkat (i386 ones included,
 * lib/syscall.h). Both names absolute from where the kernel looked them up
 * (user_path_at), so a relative name, a dirfd or a chroot does not change
 * what a signature sees; linkat AT_EMPTY_PATH: the fd's file. watched_dir:
 * the watched directory the new name is in, by identity (lib/dirwalk.h).
 */
#ifndef TRACEE_DERIVED_SECURITY_INODE_LINK_H
#define TRACEE_DERIVED_SECURITY_INODE_LINK_H

#include "../lib/derive.h"

statfn void derive_security_inode_link(struct derive_ctx *dc)
{
	if (dc->ret != 0 || !derive_begin(dc, EVENT_SECURITY_INODE_LINK))
		return;
	if (dc->sc->nr == __NR_linkat) {
		arg_path_at(dc, SECURITY_INODE_LINK__OLD_PATH, (int)derive_arg(dc, 0), derive_arg(dc, 1));
		arg_path_at(dc, SECURITY_INODE_LINK__NEW_PATH, (int)derive_arg(dc, 2), derive_arg(dc, 3));
		arg_dest_watched_dir(dc, SECURITY_INODE_LINK__WATCHED_DIR, (int)derive_arg(dc, 2), derive_arg(dc, 3));
	} else {
		arg_path_at(dc, SECURITY_INODE_LINK__OLD_PATH, AT_FDCWD, derive_arg(dc, 0));
		arg_path_at(dc, SECURITY_INODE_LINK__NEW_PATH, AT_FDCWD, derive_arg(dc, 1));
		arg_dest_watched_dir(dc, SECURITY_INODE_LINK__WATCHED_DIR, AT_FDCWD, derive_arg(dc, 1));
	}
	submit(dc->b, dc->cfg);
}

#endif
