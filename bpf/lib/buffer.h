/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Appending typed arguments to a record: each is a u8 argument index, then a
 * payload whose shape is given by its enum arg_kind. Offsets are checked
 * against ARGS_HALF before the append and masked for the verifier; the
 * buffer has slack beyond that so a bounded payload always fits.
 */
#ifndef TRACEE_BUFFER_H
#define TRACEE_BUFFER_H

#include "common.h"

statfn void buf_reset(struct event_buf *b)
{
	b->have = 0;
	b->off = 0;
	b->ctx.argnum = 0;
	b->ctx.flags = 0;
}

/*
 * Something of this event was cut (an argument that did not fit, argv/env or
 * a string longer than the limit, a path that lost its head): flag the
 * record (the event's `truncated` field) and count the event once.
 */
statfn void mark_truncated(struct event_buf *b)
{
	if (!(b->ctx.flags & REC_TRUNCATED))
		stat_inc(STAT_TRUNCATED);
	b->ctx.flags |= REC_TRUNCATED;
}

/* Reserve room for an argument; returns the masked offset or -1 when full. */
statfn int arg_begin(struct event_buf *b, u8 idx)
{
	u64 off = b->off;
	if (off >= ARGS_HALF) {
		mark_truncated(b);
		return -1;
	}
	BOUND_MASK(off, 16383); /* ARGS_MASK */
	b->args[off] = idx;
	return off;
}

/* Remember an integer argument for the data filters. */
statfn void df_val(struct event_buf *b, u8 idx, u64 v)
{
	u32 i = idx & (DF_ARGS - 1);
	b->vals[i] = v;
	b->have |= 1 << i;
}

statfn void arg_end(struct event_buf *b, u32 o, u32 payload)
{
	o &= ARGS_MASK;
	b->off = o + 1 + payload;
	b->ctx.argnum++;
}

statfn void read_failed(struct event_buf *b)
{
	b->ctx.flags |= REC_READ_FAILED;
	stat_inc(STAT_READ_FAILED);
}

statfn void arg_u64(struct event_buf *b, u8 idx, u64 v)
{
	int o = arg_begin(b, idx);
	if (o < 0)
		return;
	*(u64 *)&b->args[o + 1] = v;
	df_val(b, idx, v);
	arg_end(b, o, 8);
}

statfn void arg_u32(struct event_buf *b, u8 idx, u32 v)
{
	int o = arg_begin(b, idx);
	if (o < 0)
		return;
	*(u32 *)&b->args[o + 1] = v;
	df_val(b, idx, v);
	arg_end(b, o, 4);
}

statfn void arg_u16(struct event_buf *b, u8 idx, u16 v)
{
	int o = arg_begin(b, idx);
	if (o < 0)
		return;
	*(u16 *)&b->args[o + 1] = v;
	df_val(b, idx, v);
	arg_end(b, o, 2);
}

statfn void arg_u8(struct event_buf *b, u8 idx, u8 v)
{
	int o = arg_begin(b, idx);
	if (o < 0)
		return;
	b->args[o + 1] = v;
	df_val(b, idx, v);
	arg_end(b, o, 1);
}

/* A NUL-terminated string from user (user=1) or kernel memory. The length stored excludes the NUL. */
statfn void arg_str(struct event_buf *b, u8 idx, const void *p, bool user)
{
	int o = arg_begin(b, idx);
	if (o < 0)
		return;
	long n = 0;
	if (p) {
		if (user)
			n = bpf_probe_read_user_str(&b->args[o + 5], MAX_STR, p);
		else
			n = bpf_probe_read_kernel_str(&b->args[o + 5], MAX_STR, p);
	}
	if (n < 0) {
		read_failed(b);
		n = 0;
	} else if (n > 0) {
		if (n == MAX_STR) /* the buffer is full: the string may go on */
			mark_truncated(b);
		n--; /* drop the NUL */
	}
	n &= MAX_STR_MASK;
	*(u32 *)&b->args[o + 1] = n;
	u32 i = idx & (DF_ARGS - 1);
	b->soff[i] = o + 5;
	b->slen[i] = n;
	b->have |= 1 << i;
	arg_end(b, o, 4 + n);
}

/* Raw bytes from user (user=1) or kernel memory, at most max (a power of two minus one mask). */
statfn void arg_bytes(struct event_buf *b, u8 idx, const void *p, u32 len, bool user)
{
	int o = arg_begin(b, idx);
	if (o < 0)
		return;
	if (len > MAX_ARR_BLOB)
		len = MAX_ARR_BLOB;
	len &= (MAX_ARR_BLOB * 2 - 1);
	long err = 0;
	if (len) {
		if (user)
			err = bpf_probe_read_user(&b->args[o + 5], len, p);
		else
			err = bpf_probe_read_kernel(&b->args[o + 5], len, p);
	}
	if (err) {
		read_failed(b);
		len = 0;
	}
	*(u32 *)&b->args[o + 1] = len;
	arg_end(b, o, 4 + len);
}

#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10

/* A struct sockaddr from user (user=1) or kernel memory, sized by its family. */
statfn void arg_sockaddr(struct event_buf *b, u8 idx, const void *p, bool user)
{
	u16 family = 0;
	long err = 0;
	if (p)
		err = user ? bpf_probe_read_user(&family, sizeof(family), p)
			   : bpf_probe_read_kernel(&family, sizeof(family), p);
	if (!p || err) {
		int o = arg_begin(b, idx);
		if (o < 0)
			return;
		if (p)
			read_failed(b);
		*(u32 *)&b->args[o + 1] = 0;
		arg_end(b, o, 4);
		return;
	}
	u32 len = 16;
	if (family == AF_INET6)
		len = 28;
	else if (family == AF_UNIX)
		len = 110;
	arg_bytes(b, idx, p, len, user);
}

statfn void arg_sockaddr_user(struct event_buf *b, u8 idx, const void *p)
{
	arg_sockaddr(b, idx, p, true);
}

/* NUL-separated strings from an array of user pointers (argv/envp at syscall entry). */
struct strarr_ctx {
	const char *const *arr;
	u32 key; /* scratch key (buf_key) */
	u32 o;   /* masked offset of the argument */
	u32 len; /* bytes written so far */
	bool failed;
	bool ended; /* the NULL that ends the array was reached */
};

static long strarr_cb(u32 i, struct strarr_ctx *sc)
{
	u32 key = sc->key;
	struct event_buf *b = bpf_map_lookup_elem(&scratch, &key);
	if (!b)
		return 1;
	const char *p = NULL;
	if (bpf_probe_read_user(&p, sizeof(p), &sc->arr[i])) {
		sc->failed = true;
		return 1;
	}
	if (!p) {
		sc->ended = true;
		return 1;
	}
	if (sc->len >= MAX_ARR_BLOB - MAX_STR)
		return 1; /* no room for another element: cut (not ended) */
	u32 pos = (sc->o + 5 + sc->len) & (ARGS_HALF * 2 - 1);
	long n = bpf_probe_read_user_str(&b->args[pos], MAX_STR, p);
	if (n < 0) {
		sc->failed = true;
		return 1;
	}
	sc->len += n;
	return 0;
}

statfn void arg_strarr_user(struct event_buf *b, u32 key, u8 idx, const char *const *arr)
{
	int o = arg_begin(b, idx);
	if (o < 0)
		return;
	struct strarr_ctx sc = {.arr = arr, .key = key, .o = o};
	if (arr)
		bpf_loop(MAX_ARR_ELEMS, strarr_cb, &sc, 0);
	if (sc.failed)
		read_failed(b);
	else if (arr && !sc.ended) /* more elements, or more bytes, than fit */
		mark_truncated(b);
	u32 len = sc.len & (MAX_ARR_BLOB * 2 - 1);
	*(u32 *)&b->args[o + 1] = len;
	arg_end(b, o, 4 + len);
}

#endif
