/* SPDX-License-Identifier: GPL-2.0 */
/* security_file_open: the file behind a freshly opened fd, at sys_exit of open/openat/openat2/creat. */
#ifndef TRACEE_DERIVED_SECURITY_FILE_OPEN_H
#define TRACEE_DERIVED_SECURITY_FILE_OPEN_H

#include "../lib/derive.h"

#define OPEN_O_TRUNC 01000

/* O_TRUNC as the open requested it: the kernel clears it from f_flags once the
 * file is truncated, but clearing a file (a log) is what some detections
 * look for. creat() always truncates; openat2 carries it in struct open_how. */
statfn u32 requested_trunc(struct sysc *sc)
{
	u64 flags = 0;
	u32 nr = sc->nr;
	if (nr == __NR_creat)
		return OPEN_O_TRUNC;
	if (nr == __NR_open)
		flags = sc->a[1];
	else if (nr == __NR_openat || nr == __NR_open_by_handle_at)
		flags = sc->a[2];
	else if (nr == __NR_openat2)
		bpf_probe_read_user(&flags, sizeof(flags), (const void *)sc->a[2]);
	return flags & OPEN_O_TRUNC;
}

/* security_file_open: pathname, flags (f_flags, plus O_TRUNC when requested), dev, inode, syscall_pathname */
statfn void derive_file_open(struct event_buf *b, struct config *cfg, struct file *f,
			     struct sysc *sc)
{
	begin_derived(b, EVENT_SECURITY_FILE_OPEN, sc);
	arg_str(b, 0, file_path(SLOT_SYS_EXIT, f), false);
	arg_u32(b, 1, BPF_CORE_READ(f, f_flags) | requested_trunc(sc));
	file_identity(b, 2, f);
	u32 nr = sc->nr;
	u64 p = (nr == __NR_openat || nr == __NR_openat2) ? sc->a[1] : sc->a[0];
	arg_str(b, 4, (const void *)p, true);
	submit(b, cfg);
}

#endif
