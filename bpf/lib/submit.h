/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Sending a record: one copy into the ring buffer. The reader is woken only
 * by the record that takes the pending data across wakeup_bytes (it also
 * polls with a deadline, and once awake drains the buffer before sleeping),
 * which keeps the per-event cost of a wake-up off the traced process even
 * when the reader falls behind.
 */
#ifndef TRACEE_SUBMIT_H
#define TRACEE_SUBMIT_H

#include "common.h"
#include "datafilter.h"
#include "budget.h"

/*
 * Whether a built record may go out: some policy whose scope holds
 * (ctx.policies, from should_trace) selects the event and its data filters
 * pass (df_match: the data_filters entry of an event that not every policy
 * selects names the ones that do), then its process's budget. The record
 * carries those policies. A global function, so that the verifier checks it
 * once rather than at each of submit's many inlined call sites.
 */
__noinline int tracee_admit(struct event_buf *b)
{
	struct config *cfg = get_config();
	if (!b || !cfg)
		return 1;
	u64 matched = df_match(b);
	if (!matched) {
		stat_inc(STAT_DATA_FILTERED);
		stat_inc(STAT_DATA_FILTERED_LATE);
		return 0;
	}
	matched &= b->ctx.policies & cfg->policies;
	if (!matched) {
		stat_inc(STAT_FILTERED); /* no policy in scope selects it */
		return 0;
	}
	b->ctx.policies = matched;
	return within_budget(b, cfg);
}

/* Sends size bytes of data (a record) to the ring buffer. */
statfn void submit_data(void *data, u64 size, struct config *cfg)
{
	u64 flags = BPF_RB_NO_WAKEUP;
	u64 pending = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);
	if (pending < cfg->wakeup_bytes && pending + size >= cfg->wakeup_bytes)
		flags = BPF_RB_FORCE_WAKEUP;
	if (bpf_ringbuf_output(&events, data, size, flags))
		stat_inc(STAT_LOST);
}

/*
 * Past reserve_at pending bytes the rest of the ring is kept for priority
 * events: a flood from many processes, each within its budget, fills the
 * ring with ordinary events and then loses those (counted, STAT_SHED, and
 * reported as lost), while a ptrace, a module load, an exec or a mount
 * still finds room. One ring: every process's events stay in order.
 */
statfn bool ring_admits(struct event_buf *b, struct config *cfg)
{
	if (!cfg->reserve_at || bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) < cfg->reserve_at)
		return true;
	u32 id = b->ctx.event_id;
	if (is_priority_event(id))
		return true;
	stat_inc(STAT_SHED);
	return false;
}

statfn void submit(struct event_buf *b, struct config *cfg)
{
	/* the scope's policies, for the next record built on this header */
	u64 scope = b->ctx.policies;
	if (tracee_admit(b) && ring_admits(b, cfg)) {
		u64 size = sizeof(struct event_ctx) + b->off;
		if (size > sizeof(struct event_buf))
			size = sizeof(struct event_buf);
		submit_data(b, size, cfg);
	}
	b->ctx.policies = scope;
}

#endif
