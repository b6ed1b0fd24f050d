/* SPDX-License-Identifier: GPL-2.0 */
/* security_file_open: the file behind a freshly opened fd, at sys_exit of open/openat/openat2/creat. */
#ifndef TRACEE_DERIVED_SECURITY_FILE_OPEN_H
#define TRACEE_DERIVED_SECURITY_FILE_OPEN_H

#include "../lib/derive.h"

/* security_file_open: pathname, flags, dev, inode, syscall_pathname */
statfn void derive_file_open(struct event_buf *b, struct config *cfg, struct file *f,
			     struct sysc *sc)
{
	begin_derived(b, EVENT_SECURITY_FILE_OPEN, sc);
	arg_file_path(b, 0, SLOT_SYS_EXIT, f);
	arg_u32(b, 1, BPF_CORE_READ(f, f_flags));
	file_identity(b, 2, f);
	u32 nr = sc->nr;
	u64 p = (nr == __NR_openat || nr == __NR_openat2) ? sc->a[1] : sc->a[0];
	arg_str(b, 4, (const void *)p, true);
	submit(b, cfg);
}

#endif
