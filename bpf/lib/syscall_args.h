/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one table-driven path for every syscall's arguments: the loader fills
 * syscall_args[nr].kinds from the event schema, and this encodes each of the
 * six arguments (lib/syscall.h: x86_64 registers, or i386 ones translated)
 * by its kind. No per-syscall code.
 */
#ifndef TRACEE_SYSCALL_ARGS_H
#define TRACEE_SYSCALL_ARGS_H

#include "common.h"
#include "buffer.h"
#include "syscall.h"

struct encode_ctx {
	u64 regs[6];
	u8 kinds[6];
	u32 key; /* scratch key (buf_key) */
};

static long encode_cb(u32 i, struct encode_ctx *ec)
{
	u64 j = i;
	BOUND_MASK(j, 7);
	if (j >= 6)
		return 1;
	u32 key = ec->key;
	struct event_buf *b = bpf_map_lookup_elem(&scratch, &key);
	if (!b)
		return 1;
	u64 v = ec->regs[j];
	switch (ec->kinds[j]) {
	case ARG_NONE:
		break;
	case ARG_INT:
	case ARG_UINT:
		arg_u32(b, i, (u32)v);
		break;
	case ARG_LONG:
	case ARG_ULONG:
	case ARG_POINTER:
		arg_u64(b, i, v);
		break;
	case ARG_U16:
		arg_u16(b, i, (u16)v);
		break;
	case ARG_BOOL:
		arg_u8(b, i, v != 0);
		break;
	case ARG_STR:
		arg_str(b, i, (const void *)v, true);
		break;
	case ARG_STR_ARR:
		arg_strarr_user(b, key, i, (const char *const *)v);
		break;
	case ARG_SOCKADDR:
		arg_sockaddr_user(b, i, (const void *)v);
		break;
	default:
		/* bytes with a length argument, and anything new: keep the pointer */
		arg_u64(b, i, v);
		break;
	}
	return 0;
}

/*
 * The common case: only integers and pointers. Each becomes its index and
 * the 8-byte register (REC_WIDE_ARGS; user space narrows by kind; an i386
 * long is sign-extended here), in straight-line code with no helper calls
 * and no loop.
 */
#define WIDE_ARG(i)                                                          \
	if (sa->kinds[i] != ARG_NONE) {                                      \
		u64 v_ = sysc_arg(sc, i, sa->kinds[i]);                      \
		b->args[off] = i;                                            \
		*(u64 *)&b->args[off + 1] = v_;                              \
		b->vals[i] = v_;                                             \
		b->have |= 1 << i;                                           \
		off += 9;                                                    \
		n++;                                                         \
	}

statfn void encode_wide_args(struct event_buf *b, struct syscall_arg_kinds *sa, struct sysc *sc)
{
	u32 off = 0, n = 0;
	WIDE_ARG(0)
	WIDE_ARG(1)
	WIDE_ARG(2)
	WIDE_ARG(3)
	WIDE_ARG(4)
	WIDE_ARG(5)
	b->off = off;
	b->ctx.argnum = n;
	b->ctx.flags |= REC_WIDE_ARGS;
}

statfn void encode_syscall_args(struct event_buf *b, u32 slot, struct sysc *sc)
{
	u32 nr = sc->nr;
	struct syscall_arg_kinds *sa = bpf_map_lookup_elem(&syscall_args, &nr);
	if (!sa)
		return;
	if (sa->fixed_only) {
		encode_wide_args(b, sa, sc);
		return;
	}
	struct encode_ctx ec = {.key = buf_key(slot)};
	for (int i = 0; i < 6; i++)
		ec.regs[i] = sysc_arg(sc, i, sa->kinds[i]);
	__builtin_memcpy(ec.kinds, sa->kinds, sizeof(ec.kinds));
	bpf_loop(6, encode_cb, &ec, 0);
}

#endif
