/* SPDX-License-Identifier: GPL-2.0 */
/*
 * security_path_unlink: a successful unlink/unlinkat of a non-directory
 * (i386 ones included). pathname is absolute from where the kernel looked
 * the name up (user_path_at: the cwd's or dirfd's resolved path, then the
 * name as written, lib/path.h path_at), so a relative name - `cd /var/log
 * && rm syslog`, an unlinkat on a directory fd - names the file it removed,
 * which the syscall's own pathname does not. ".." inside the name stays as
 * written (consumers clean it lexically); a symlink inside it is not
 * followed. The file is gone at sys_exit: no dev or inode.
 */
#ifndef TRACEE_DERIVED_SECURITY_PATH_UNLINK_H
#define TRACEE_DERIVED_SECURITY_PATH_UNLINK_H

#include "../lib/derive.h"

#define UNLINK_AT_REMOVEDIR 0x200

statfn void derive_security_path_unlink(struct derive_ctx *dc)
{
	bool at = dc->sc->nr == __NR_unlinkat;
	if (dc->ret != 0 || (at && (derive_arg(dc, 2) & UNLINK_AT_REMOVEDIR)) ||
	    !derive_begin(dc, EVENT_SECURITY_PATH_UNLINK))
		return;
	int dirfd = at ? (int)derive_arg(dc, 0) : AT_FDCWD;
	arg_path_at(dc, SECURITY_PATH_UNLINK__PATHNAME, dirfd, at ? derive_arg(dc, 1) : derive_arg(dc, 0));
	submit(dc->b, dc->cfg);
}

#endif
