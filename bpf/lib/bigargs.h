/* SPDX-License-Identifier: GPL-2.0 */
/*
 * argv and env of an exec, kept whole up to config.exec_args_max bytes each
 * (tracee-ebpf --exec-args-max; at most EXEC_ARGS_CAP), far above what the
 * 16 KiB argument area of a normal record holds. The record built so far is
 * copied into a big per-CPU buffer, the blobs are appended there in 4 KiB
 * chunks read from the new image's mm (bpf_loop), and the big record is sent
 * instead. What is longer than the limit is cut and the record flagged
 * (mark_truncated). Without the big buffer the normal 8 KiB blobs are used.
 */
#ifndef TRACEE_BIGARGS_H
#define TRACEE_BIGARGS_H

#include "common.h"
#include "buffer.h"
#include "submit.h"

/* The largest exec_args_max (an enum: bpf2go exports it to Go). */
enum exec_args_limits { EXEC_ARGS_CAP = 256 * 1024 };
#define BIG_SIZE (1024 * 1024)         /* header copy + two capped blobs fit below */
#define BIG_MASK (BIG_SIZE - 1)
#define BIG_CHUNK 4096

struct big_buf {
	struct event_ctx ctx;
	u8 args[BIG_SIZE + 2 * BIG_CHUNK]; /* slack: a masked offset plus a masked chunk stays inside */
	enum exec_args_limits limits[0]; /* puts the enum in the BTF, for bpf2go */
};

/* One per CPU (the loader sizes it); only sched_process_exec uses it. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 64);
	__type(key, u32);
	__type(value, struct big_buf);
} big_scratch SEC(".maps");

struct mm_blob {
	unsigned long start, end;
	u8 idx;
};

struct big_chunk_ctx {
	u32 key;
	unsigned long src;
	u32 len;  /* bytes to copy */
	u32 dst;  /* offset in args of the first byte */
	bool failed;
};

static long big_chunk_cb(u32 i, struct big_chunk_ctx *c)
{
	u32 key = c->key;
	struct big_buf *big = bpf_map_lookup_elem(&big_scratch, &key);
	if (!big)
		return 1;
	u32 off = i * BIG_CHUNK;
	if (off >= c->len)
		return 1;
	u64 n = c->len - off;
	if (n > BIG_CHUNK)
		n = BIG_CHUNK;
	n &= 2 * BIG_CHUNK - 1; /* for the verifier */
	u64 pos = (c->dst + off) & BIG_MASK;
	if (bpf_probe_read_user(&big->args[pos], n, (const void *)(c->src + off))) {
		c->failed = true;
		return 1;
	}
	return 0;
}

/*
 * Sends b with the blobs appended (as their argument indexes), whole up to
 * the configured limit. Returns false when the big buffer cannot be used:
 * the caller then appends them the normal way.
 */
statfn bool submit_with_blobs(struct event_buf *b, struct config *cfg, struct mm_blob *blobs, u32 n)
{
	u32 max = cfg->exec_args_max;
	if (max <= MAX_ARR_BLOB)
		return false;
	if (max > EXEC_ARGS_CAP)
		max = EXEC_ARGS_CAP;
	u32 key = bpf_get_smp_processor_id();
	struct big_buf *big = bpf_map_lookup_elem(&big_scratch, &key);
	if (!big)
		return false;
	for (u32 i = 0; i < 2 && i < n; i++) {
		if (blobs[i].end > blobs[i].start && blobs[i].end - blobs[i].start > max)
			mark_truncated(b);
	}
	u64 used = b->off;
	if (used > ARGS_HALF * 2)
		return false;
	if (bpf_probe_read_kernel(big, sizeof(struct event_ctx) + (used & (ARGS_HALF * 2 - 1)), b))
		return false;
	/* admitted like any record (policies, data filters, budget, the ring's
	 * reserve) before the blobs are read: a process start dropped here
	 * costs no copy of its argv and env */
	u64 scope = b->ctx.policies;
	bool admit = tracee_admit(b) && ring_admits(b, cfg);
	big->ctx.policies = b->ctx.policies;
	b->ctx.policies = scope;
	if (!admit)
		return true;
	for (u32 i = 0; i < 2 && i < n; i++) {
		u32 len = 0;
		if (blobs[i].end > blobs[i].start)
			len = blobs[i].end - blobs[i].start > max ? max : blobs[i].end - blobs[i].start;
		u32 o = used & BIG_MASK;
		big->args[o] = blobs[i].idx;
		struct big_chunk_ctx c = {.key = key, .src = blobs[i].start, .len = len, .dst = o + 5};
		if (len)
			bpf_loop(EXEC_ARGS_CAP / BIG_CHUNK, big_chunk_cb, &c, 0);
		if (c.failed) {
			big->ctx.flags |= REC_READ_FAILED;
			stat_inc(STAT_READ_FAILED);
			len = 0;
		}
		*(u32 *)&big->args[(o + 1) & BIG_MASK] = len;
		big->ctx.argnum++;
		used = o + 5 + len;
	}
	u64 size = sizeof(struct event_ctx) + used;
	if (size > sizeof(struct big_buf))
		return true; /* cannot happen: two capped blobs fit */
	submit_data(big, size, cfg);
	return true;
}

#endif
