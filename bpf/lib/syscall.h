/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The syscall a task is in, in the x86_64 ABI whatever ABI it used. A call
 * from 32-bit code (int $0x80, sysenter, any syscall of a -m32 program) has
 * TS_COMPAT set in thread_info.status until it returns to user space, an
 * i386 number in orig_ax and its arguments in bx, cx, dx, si, di, bp. It is
 * translated through the compat_syscalls map (filled by the loader from the
 * generated i386 table) into the x86_64 event of the same meaning, so every
 * selection, filter and signature works unchanged; records carry REC_COMPAT.
 * Multiplexers (socketcall, ipc) and the arguments-in-memory calls (old
 * mmap) are demultiplexed here.
 */
#ifndef TRACEE_SYSCALL_H
#define TRACEE_SYSCALL_H

#include "common.h"
#include "compat_gen.h"

#define TS_COMPAT 0x0002

struct compat_sc {
	u16 event;   /* x86_64 syscall number */
	u8 valid;    /* the entry exists */
	u8 mux;      /* COMPAT_MUX_*: a multiplexer, its first argument selects the call */
	s8 args_mem; /* the arguments are six u32 in user memory at this argument, -1 none */
	s8 pgoff;    /* argument counted in 4096-byte pages, -1 none */
	s8 args[6];  /* x86_64 argument i from i386 argument args[i], -1 zero */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, COMPAT_KEYS);
	__type(key, u32);
	__type(value, struct compat_sc);
} compat_syscalls SEC(".maps");

/* A syscall in the x86_64 ABI. */
struct sysc {
	u64 a[6];
	u32 nr;
	bool compat;
	bool loaded; /* a[] filled */
};

statfn bool task_compat_syscall(struct task_struct *t)
{
	return RD(t, thread_info.status) & TS_COMPAT;
}

statfn void sysc_load64(struct sysc *sc, struct pt_regs *regs)
{
	if (sc->loaded)
		return;
	sc->a[0] = RD(regs, di);
	sc->a[1] = RD(regs, si);
	sc->a[2] = RD(regs, dx);
	sc->a[3] = RD(regs, r10);
	sc->a[4] = RD(regs, r8);
	sc->a[5] = RD(regs, r9);
	sc->loaded = true;
}

/* Translates the i386 call in regs; false when it has no x86_64 event. */
statfn bool compat_translate(struct pt_regs *regs, struct sysc *sc)
{
	u32 r[6];
	r[0] = RD(regs, bx);
	r[1] = RD(regs, cx);
	r[2] = RD(regs, dx);
	r[3] = RD(regs, si);
	r[4] = RD(regs, di);
	r[5] = RD(regs, bp);
	u32 key = sc->nr;
	if (key >= MAX_SYSCALL_ID)
		return false;
	struct compat_sc *e = bpf_map_lookup_elem(&compat_syscalls, &key);
	if (!e || !e->valid)
		return false;
	u32 call = r[0] & 0xffff;
	s8 m = e->args_mem;
	if (m >= 0 && m < 6) {
		u64 p = r[m];
		if (bpf_probe_read_user(r, sizeof(r), (const void *)p)) {
			stat_inc(STAT_READ_FAILED);
			return false;
		}
	}
	if (e->mux) {
		if (call >= MAX_COMPAT_CALL)
			return false;
		key = MAX_SYSCALL_ID + e->mux * MAX_COMPAT_CALL + call;
		e = bpf_map_lookup_elem(&compat_syscalls, &key);
		if (!e || !e->valid || e->mux)
			return false;
	}
	sc->nr = e->event;
	for (int i = 0; i < 6; i++) {
		s8 src = e->args[i];
		u64 v = 0;
		if (src >= 0 && src < 6)
			v = r[src];
		sc->a[i] = v;
	}
	s8 pg = e->pgoff;
	if (pg >= 0 && pg < 6)
		sc->a[pg] <<= 12;
	sc->loaded = true;
	return true;
}

/*
 * The syscall t is in (regs: its user registers). Returns false for an i386
 * syscall with no x86_64 event. x86_64 arguments are loaded on demand
 * (sysc_load64); i386 ones now.
 */
statfn bool sysc_read(struct task_struct *t, struct pt_regs *regs, struct sysc *sc)
{
	sc->nr = RD(regs, orig_ax);
	sc->loaded = false;
	sc->compat = task_compat_syscall(t);
	if (!sc->compat)
		return true;
	return compat_translate(regs, sc);
}

/* The value of an argument of kind k: i386 longs are 32-bit and signed. */
statfn u64 sysc_arg(struct sysc *sc, int i, u8 k)
{
	u64 v = sc->a[i];
	if (sc->compat && k == ARG_LONG)
		v = (u64)(s64)(s32)v;
	return v;
}

statfn void mark_compat(struct event_buf *b, struct sysc *sc)
{
	if (sc->compat)
		b->ctx.flags |= REC_COMPAT;
}

#endif
