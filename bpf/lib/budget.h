/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-process budget: one process that floods events the policies pass
 * cannot fill the ring buffer and crowd out everyone else's. Each process
 * (tgid) may send cfg->budget events per second; beyond that its events
 * are dropped here, counted in its throttled entry (user space reports the
 * culprit and how many) and in STAT_THROTTLED, never silently. Events in
 * priority_events (ptrace, module loads, exec, mount: rare and what an
 * attacker hides behind a flood) have their own, ten times larger budget,
 * so a flood of ordinary events never starves them, and the last quarter of
 * the ring buffer is theirs (submit.h, ring_admits). One ring buffer keeps
 * every process's events in order.
 */
#ifndef TRACEE_BUDGET_H
#define TRACEE_BUDGET_H

#include "common.h"
#include "datafilter.h"

struct budget {
	u64 window;  /* second (boot time) the counts are for */
	u32 count;   /* ordinary events sent in the window */
	u32 prio;    /* priority events sent in the window */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, u32);
	__type(value, struct budget);
} budgets SEC(".maps");

/*
 * Events dropped over the budget since the start, by tgid: only the
 * processes that went over it, so that user space reads a few entries
 * rather than walking budgets (one entry for every process that sent an
 * event, thousands on a host that forks a lot).
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, u32);
	__type(value, u64);
} throttled SEC(".maps");

/* Event ids (syscall numbers and kernel event ids, below DF_EVENT_IDS as
 * the data filters' table) with the priority budget: 1. An array: every
 * admitted event asks, one indexed load. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, DF_EVENT_IDS);
	__type(key, u32);
	__type(value, u8);
} priority_events SEC(".maps");

statfn bool is_priority_event(u32 id)
{
	u8 *p = bpf_map_lookup_elem(&priority_events, &id);
	return p && *p;
}

#define PRIORITY_FACTOR 10

statfn bool within_budget(struct event_buf *b, struct config *cfg)
{
	u32 limit = cfg->budget;
	if (!limit)
		return true;
	u32 tgid = b->ctx.host_pid;
	u32 id = b->ctx.event_id;
	u64 win = b->ctx.ts / 1000000000ULL;
	struct budget *bu = bpf_map_lookup_elem(&budgets, &tgid);
	if (!bu) {
		struct budget nb = {.window = win};
		bpf_map_update_elem(&budgets, &tgid, &nb, BPF_NOEXIST);
		bu = bpf_map_lookup_elem(&budgets, &tgid);
		if (!bu)
			return true;
	}
	if (bu->window != win) {
		bu->window = win;
		bu->count = 0;
		bu->prio = 0;
	}
	u32 *n = &bu->count;
	if (is_priority_event(id)) {
		n = &bu->prio;
		limit *= PRIORITY_FACTOR;
	}
	if (*n >= limit) {
		u64 *d = bpf_map_lookup_elem(&throttled, &tgid);
		if (d) {
			__sync_fetch_and_add(d, 1);
		} else {
			u64 one = 1;
			bpf_map_update_elem(&throttled, &tgid, &one, BPF_NOEXIST);
		}
		stat_inc(STAT_THROTTLED);
		return false;
	}
	*n += 1;
	return true;
}

#endif
