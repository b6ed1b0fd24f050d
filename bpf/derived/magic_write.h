/* SPDX-License-Identifier: GPL-2.0 */
/* magic_write: the first bytes written at offset 0 of a regular file, at sys_exit of write/pwrite64. */
#ifndef TRACEE_DERIVED_MAGIC_WRITE_H
#define TRACEE_DERIVED_MAGIC_WRITE_H

#include "../lib/derive.h"

#define MAGIC_BYTES 20

/* The regular file a write/pwrite64 wrote to at offset 0, or NULL. */
statfn struct file *magic_write_file(struct task_struct *t, struct sysc *sc, long ret)
{
	struct file *f = task_fd_file(t, (u32)sc->a[0]);
	if (!f)
		return NULL;
	unsigned short mode = BPF_CORE_READ(f, f_inode, i_mode);
	if ((mode & S_IFMT) != S_IFREG)
		return NULL;
	if (sc->nr == __NR_pwrite64) {
		if (sc->a[3] != 0)
			return NULL;
	} else if (BPF_CORE_READ(f, f_pos) != ret) {
		return NULL;
	}
	return f;
}

/* magic_write: pathname, bytes, dev, inode */
statfn void derive_magic_write(struct event_buf *b, struct config *cfg, struct file *f,
			       struct sysc *sc, long ret)
{
	begin_derived(b, EVENT_MAGIC_WRITE, sc);
	arg_file_path(b, 0, SLOT_SYS_EXIT, f);
	u32 n = ret < MAGIC_BYTES ? ret : MAGIC_BYTES;
	arg_bytes(b, 1, (const void *)sc->a[1], n, true);
	file_identity(b, 2, f);
	submit(b, cfg);
}

#endif
