/* SPDX-License-Identifier: GPL-2.0 */
/*
 * security_fsmount: a filesystem mounted through the new mount API
 * (fsopen, fsconfig, fsmount), which never passes security_sb_mount. At
 * sys_exit of a successful fsmount (i386 included) the returned fd holds
 * the new, still detached mount: already usable (openat on the fd), so
 * this is the moment a device is mounted. dev_name and type are the
 * mount's own (mnt_devname, the superblock's file system type).
 */
#ifndef TRACEE_DERIVED_SECURITY_FSMOUNT_H
#define TRACEE_DERIVED_SECURITY_FSMOUNT_H

#include "../lib/derive.h"

statfn void derive_security_fsmount(struct derive_ctx *dc)
{
	if (dc->ret < 0)
		return;
	struct file *f = task_fd_file(dc->t, dc->ret);
	if (!f || !derive_begin(dc, EVENT_SECURITY_FSMOUNT))
		return;
	struct vfsmount *vm = BPF_CORE_READ(f, f_path.mnt);
	struct mount *m = real_mount(vm);
	struct event_buf *b = dc->b;
	arg_str(b, SECURITY_FSMOUNT__DEV_NAME, BPF_CORE_READ(m, mnt_devname), false);
	arg_str(b, SECURITY_FSMOUNT__TYPE, BPF_CORE_READ(vm, mnt_sb, s_type, name), false);
	arg_u32(b, SECURITY_FSMOUNT__FS_FD, (u32)derive_arg(dc, 0));
	arg_u32(b, SECURITY_FSMOUNT__ATTR_FLAGS, (u32)derive_arg(dc, 2));
	submit(b, dc->cfg);
}

#endif
