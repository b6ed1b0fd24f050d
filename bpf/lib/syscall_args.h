/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one table-driven path for every syscall's arguments: the loader fills
 * syscall_args[nr].kinds from the event schema, and this encodes each of the
 * six ABI registers by its kind. No per-syscall code.
 */
#ifndef TRACEE_SYSCALL_ARGS_H
#define TRACEE_SYSCALL_ARGS_H

#include "common.h"
#include "buffer.h"

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
 * the raw 8-byte register (REC_WIDE_ARGS; user space narrows by kind), in
 * straight-line code with no helper calls and no loop.
 */
#define WIDE_ARG(i, reg)                                         \
	if (sa->kinds[i] != ARG_NONE) {                          \
		b->args[off] = i;                                \
		*(u64 *)&b->args[off + 1] = RD(regs, reg);       \
		off += 9;                                        \
		n++;                                             \
	}

statfn void encode_wide_args(struct event_buf *b, struct syscall_arg_kinds *sa, struct pt_regs *regs)
{
	u32 off = 0, n = 0;
	WIDE_ARG(0, di)
	WIDE_ARG(1, si)
	WIDE_ARG(2, dx)
	WIDE_ARG(3, r10)
	WIDE_ARG(4, r8)
	WIDE_ARG(5, r9)
	b->off = off;
	b->ctx.argnum = n;
	b->ctx.flags |= REC_WIDE_ARGS;
}

statfn void encode_syscall_args(struct event_buf *b, u32 slot, struct pt_regs *regs, u32 nr)
{
	struct syscall_arg_kinds *sa = bpf_map_lookup_elem(&syscall_args, &nr);
	if (!sa)
		return;
	if (sa->fixed_only) {
		encode_wide_args(b, sa, regs);
		return;
	}
	struct encode_ctx ec = {.key = buf_key(slot)};
	ec.regs[0] = RD(regs, di);
	ec.regs[1] = RD(regs, si);
	ec.regs[2] = RD(regs, dx);
	ec.regs[3] = RD(regs, r10);
	ec.regs[4] = RD(regs, r8);
	ec.regs[5] = RD(regs, r9);
	__builtin_memcpy(ec.kinds, sa->kinds, sizeof(ec.kinds));
	bpf_loop(6, encode_cb, &ec, 0);
}

statfn u64 regs_arg(struct pt_regs *regs, int i)
{
	switch (i) {
	case 0:
		return RD(regs, di);
	case 1:
		return RD(regs, si);
	case 2:
		return RD(regs, dx);
	case 3:
		return RD(regs, r10);
	case 4:
		return RD(regs, r8);
	default:
		return RD(regs, r9);
	}
}

#endif
