/* SPDX-License-Identifier: GPL-2.0 */
/* magic_write: the first bytes written at offset 0 of a regular file, at
 * sys_exit of write/pwrite64 and at io_uring write completions (hooks/io_uring.h). */
#ifndef TRACEE_DERIVED_MAGIC_WRITE_H
#define TRACEE_DERIVED_MAGIC_WRITE_H

#include "../lib/derive.h"

#define MAGIC_BYTES 20

/* The regular file a write/pwrite64 wrote to at offset 0, or NULL. */
statfn struct file *magic_write_file(struct task_struct *t, struct sysc *sc, long ret)
{
	struct file *f = AS_BTF(task_fd_file(t, (u32)sc->a[0]), struct file);
	if (!f)
		return NULL;
	unsigned short mode = RD(f, f_inode, i_mode); /* plain loads: every write asks */
	if ((mode & S_IFMT) != S_IFREG)
		return NULL;
	if (sc->nr == __NR_pwrite64) {
		if (sc->a[3] != 0)
			return NULL;
	} else if (RD(f, f_pos) != ret) {
		return NULL;
	}
	return f;
}

/* magic_write's arguments: f's path, the first bytes of the user buffer buf
 * of which written went to f (also for io_uring writes, hooks/io_uring.h). */
statfn void magic_write_args(struct event_buf *b, u32 slot, struct file *f, const void *buf, long written)
{
	arg_file_path(b, MAGIC_WRITE__PATHNAME, slot, f);
	u64 n = written < MAGIC_BYTES ? written : MAGIC_BYTES;
	BOUND_MASK(n, 31); /* keeps the bound through 32-bit moves (-mcpu=v3) */
	arg_bytes(b, MAGIC_WRITE__BYTES, buf, n, true);
	file_identity(b, MAGIC_WRITE__DEV, f);
}

statfn void derive_magic_write(struct derive_ctx *dc)
{
	if (dc->ret <= 0)
		return;
	struct file *f = magic_write_file(dc->t, dc->sc, dc->ret);
	if (!f || !derive_begin(dc, EVENT_MAGIC_WRITE))
		return;
	magic_write_args(dc->b, SLOT_SYS_EXIT, f, (const void *)derive_arg(dc, 1), dc->ret);
	submit(dc->b, dc->cfg);
}

#endif
