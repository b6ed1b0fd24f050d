/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sending a record: one copy into the ring buffer. The reader is woken only
 * once wakeup_bytes are pending (it also polls with a deadline), which keeps
 * the per-event cost of a wake-up off the traced process.
 */
#ifndef TRACEE_SUBMIT_H
#define TRACEE_SUBMIT_H

#include "common.h"

statfn void submit(struct event_buf *b, struct config *cfg)
{
	u64 size = sizeof(struct event_ctx) + b->off;
	if (size > sizeof(struct event_buf))
		size = sizeof(struct event_buf);
	u64 flags = BPF_RB_NO_WAKEUP;
	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= cfg->wakeup_bytes)
		flags = BPF_RB_FORCE_WAKEUP;
	if (bpf_ringbuf_output(&events, b, size, flags))
		stat_inc(STAT_LOST);
	else
		stat_inc(STAT_EMITTED);
}

#endif
