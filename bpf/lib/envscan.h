/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The loader variables (LD_*) of an environment longer than the captured
 * env argument (MAX_ARR_BLOB): the rest is walked variable by variable in
 * the new image's memory (always mapped at sched_process_exec) and every
 * variable starting "LD_" is kept, so no LD_PRELOAD or LD_AUDIT hides
 * behind a padded environment. A variable longer than MAX_STR is walked in
 * pieces (only the text after a NUL starts a variable). The walk is bounded
 * by the environment's size (ARG_MAX) through bpf_loop; its cost falls on
 * the process that made its environment that long.
 */
#ifndef TRACEE_ENVSCAN_H
#define TRACEE_ENVSCAN_H

#include "common.h"
#include "buffer.h"

#define ENVSCAN_MAX_VARS (1 << 20) /* an environment of ARG_MAX (2 MiB) has at most this many */

struct envscan_ctx {
	unsigned long pos, end;
	u32 key;  /* scratch key of the record (buf_key) */
	u32 o;    /* masked offset of the argument */
	u32 len;  /* bytes of LD_ variables written */
	bool inside; /* pos is inside a variable, not at its start */
	bool failed;
};

static long envscan_cb(u32 i, struct envscan_ctx *c)
{
	if (c->pos >= c->end)
		return 1;
	u32 key = c->key;
	struct event_buf *b = bpf_map_lookup_elem(&scratch, &key);
	if (!b)
		return 1;
	char head[3] = {};
	bool start = !c->inside;
	if (start && bpf_probe_read_user(head, 3, (const void *)c->pos) == 0 &&
	    head[0] == 'L' && head[1] == 'D' && head[2] == '_' && c->len < MAX_ARR_BLOB - MAX_STR) {
		u32 at = (c->o + 5 + c->len) & (ARGS_HALF * 2 - 1);
		long n = bpf_probe_read_user_str(&b->args[at], MAX_STR, (const void *)c->pos);
		if (n > 0) {
			c->len += n;
			if (n < MAX_STR) {
				c->pos += n;
				c->inside = false;
				return 0;
			}
		}
	}
	/* skip to after the next NUL, MAX_STR bytes at a time */
	u32 at = (c->o + 5 + c->len) & (ARGS_HALF * 2 - 1);
	long n = bpf_probe_read_user_str(&b->args[at], MAX_STR, (const void *)c->pos);
	if (n <= 0) {
		c->failed = true;
		return 1;
	}
	if (n == MAX_STR) { /* no NUL yet: still inside */
		c->pos += MAX_STR - 1;
		c->inside = true;
	} else {
		c->pos += n;
		c->inside = false;
	}
	return 0;
}

/* ld_env: the LD_* variables in [start, end) of the new image's environment. */
statfn void arg_env_ld_tail(struct event_buf *b, u32 slot, u8 idx, unsigned long start, unsigned long end)
{
	int o = arg_begin(b, idx);
	if (o < 0)
		return;
	struct envscan_ctx c = {.pos = start, .end = end, .key = buf_key(slot), .o = o};
	char before = 0;
	if (start > 0 && bpf_probe_read_user(&before, 1, (const void *)(start - 1)) == 0)
		c.inside = before != 0;
	if (end > start)
		bpf_loop(ENVSCAN_MAX_VARS, envscan_cb, &c, 0);
	if (c.failed)
		read_failed(b);
	u32 len = c.len & (MAX_ARR_BLOB * 2 - 1);
	*(u32 *)&b->args[o + 1] = len;
	arg_end(b, o, 4 + len);
}

#endif
