/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mem_prot_alert, at sys_exit of mmap (i386 mmap2 and old mmap arrive as
 * mmap), mprotect and pkey_mprotect, from the call and the memory itself:
 *
 *   - MEM_PROT_ALERT_MMAP_WX: an mmap asking for PROT_WRITE|PROT_EXEC,
 *     whether or not it succeeded (addr: the mapping, or the hint).
 *   - MEM_PROT_ALERT_MPROTECT_X: an mprotect asking for PROT_EXEC. Its
 *     prev_prot has PROT_WRITE when the memory holds written data: a
 *     private mapping with an anon_vma (some page of it was written, or
 *     copied on write: by the process, by a debugger, through
 *     /proc/PID/mem or process_vm_writev alike), or shared memory that some
 *     mapping can write (the file's i_mmap_writable: memfd, shm, a file
 *     mapped shared from an fd opened for writing, an mremap alias).
 *   - MEM_PROT_ALERT_SHARED_TO_W: a successful mprotect asking for
 *     PROT_WRITE (not PROT_EXEC) over a shared file mapping: the file's
 *     pages become writable through it, and so does the code of any
 *     executable mapping of the same file (TRC-4 pairs them by dev and
 *     inode, as security_mmap_file's). pathname, dev and inode are that
 *     mapping's file.
 *
 * The kernel's state, not a history kept from earlier events: the heap
 * (brk), the stack, a mapping made before tracing began or one whose
 * events were lost are judged like the rest, and so is memory written,
 * made read-only and then executable. The protection before the call is
 * not known at sys_exit (there is no sys_enter program), so the two W+E
 * transitions of Tracee's numbering (E to W+E, W+E to E) are not told
 * apart: an mprotect asking for W+E is MPROTECT_X with prot W+E.
 */
#ifndef TRACEE_DERIVED_MEM_PROT_ALERT_H
#define TRACEE_DERIVED_MEM_PROT_ALERT_H

#include "../lib/derive.h"
#include <linux/mman.h>

#define MPA_VM_SHARED 0x8UL
#define MPA_MAX_VMAS 16 /* VMAs looked at in one mprotect's range; more count as written */

struct mpa_walk {
	unsigned long next; /* the first address not yet looked at */
	struct file *file;  /* the first VMA's file, or NULL */
	struct file *shared; /* the first shared file mapping's file, or NULL */
	bool written;
	bool found;
	bool cut; /* more than MPA_MAX_VMAS VMAs */
};

/* bpf_find_vma's callback: one VMA of the range. */
static long mpa_vma_cb(struct task_struct *t, struct vm_area_struct *vma, struct mpa_walk *w)
{
	unsigned long flags = vma->vm_flags;
	w->found = true;
	w->next = vma->vm_end;
	if (!w->file)
		w->file = vma->vm_file;
	if (vma->anon_vma)
		w->written = true;
	if ((flags & MPA_VM_SHARED) && vma->vm_file) {
		if (!w->shared)
			w->shared = vma->vm_file;
		if (BPF_CORE_READ(vma, vm_file, f_mapping, i_mmap_writable.counter) > 0)
			w->written = true;
	}
	return 0;
}

/* Walks the VMAs of [start, end): whether any holds written data, and the first one's file. */
statfn void mpa_walk_range(struct mpa_walk *w, unsigned long start, unsigned long end)
{
	w->next = start;
	if (!bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_find_vma))
		return;
	struct task_struct *t = bpf_get_current_task_btf();
	for (int i = 0; i < MPA_MAX_VMAS; i++) {
		unsigned long at = w->next;
		if (at >= end)
			return;
		w->found = false;
		/* -ENOENT past a hole: the call failed there, nothing further was changed */
		if (bpf_find_vma(t, at, mpa_vma_cb, w, 0) || !w->found || w->next <= at)
			return;
	}
	if (w->next < end) {
		w->written = true; /* not all looked at: counted as written rather than missed */
		w->cut = true;
	}
}

/* An mmap asking for W and X; an mprotect asking for X, or a successful
 * one asking for W (shared file mappings made writable). */
statfn bool mem_prot_alert_worth(struct derive_ctx *dc)
{
	u32 prot = (u32)derive_arg(dc, 2);
	if (dc->sc->nr == __NR_mmap)
		return (prot & (PROT_WRITE | PROT_EXEC)) == (PROT_WRITE | PROT_EXEC);
	return (prot & PROT_EXEC) || ((prot & PROT_WRITE) && dc->ret == 0);
}

/* Called when mem_prot_alert_worth holds. */
statfn void mem_prot_alert_body(struct derive_ctx *dc)
{
	u32 prot = (u32)derive_arg(dc, 2);
	bool is_mmap = dc->sc->nr == __NR_mmap;
	u64 addr = derive_arg(dc, 0), len = derive_arg(dc, 1);
	bool failed = dc->ret < 0 && dc->ret >= -4095;
	struct file *f = NULL;
	u32 alert, prev = 0;
	bool cut = false;
	if (is_mmap) {
		alert = MEM_PROT_ALERT_MMAP_WX;
		if (!failed)
			addr = dc->ret;
		if (!(derive_arg(dc, 3) & MAP_ANONYMOUS))
			f = task_fd_file(dc->t, (u32)derive_arg(dc, 4));
	} else {
		alert = MEM_PROT_ALERT_MPROTECT_X;
		unsigned long start = addr & ~4095UL, end = (addr + len + 4095) & ~4095UL;
		if (end < start)
			end = ~4095UL;
		struct mpa_walk w = {};
		mpa_walk_range(&w, start, end);
		f = w.file;
		if (w.written)
			prev = PROT_WRITE;
		cut = w.cut;
		if (!(prot & PROT_EXEC)) {
			if (!w.shared)
				return; /* private or anonymous memory made writable: the common case */
			alert = MEM_PROT_ALERT_SHARED_TO_W;
			f = w.shared;
			prev = 0; /* not known at sys_exit */
		}
	}
	if (!derive_begin(dc, EVENT_MEM_PROT_ALERT))
		return;
	struct event_buf *b = dc->b;
	if (cut)
		mark_truncated(b);
	arg_u32(b, MEM_PROT_ALERT__ALERT, alert);
	arg_u64(b, MEM_PROT_ALERT__ADDR, addr);
	arg_u64(b, MEM_PROT_ALERT__LEN, len);
	arg_u32(b, MEM_PROT_ALERT__PROT, prot);
	arg_u32(b, MEM_PROT_ALERT__PREV_PROT, prev);
	/* anonymous memory: an empty pathname, dev and inode 0 (every argument is always there) */
	arg_file_path(b, MEM_PROT_ALERT__PATHNAME, SLOT_SYS_EXIT, f);
	if (f) {
		file_identity(b, MEM_PROT_ALERT__DEV, f);
	} else {
		arg_u32(b, MEM_PROT_ALERT__DEV, 0);
		arg_u64(b, MEM_PROT_ALERT__INODE, 0);
	}
	submit(b, dc->cfg);
}

DERIVE_GLOBAL_IF(mem_prot_alert, mem_prot_alert_worth)

#endif
