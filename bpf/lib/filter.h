/* SPDX-License-Identifier: GPL-2.0 */
/* In-kernel scope filters (pid, uid, namespaces, comm, uts, container, new, follow, tree, executable). */
#ifndef TRACEE_FILTER_H
#define TRACEE_FILTER_H

#include "common.h"

/*
 * Every policy's scope is evaluated at once, as 64-bit bitmaps (bit i:
 * policy i): for each kind of filter a policy uses, the filter map's value
 * for the task's key says which policies list the key with = (eq) and with
 * != (ne); config.filter_policies says which policies have the filter at
 * all. A policy passes a kind when it has no = filter of it or lists the key
 * with =, and does not list the key with !=. The cost is one lookup per kind
 * some policy uses, whatever the number of policies.
 */

/* The policies that have the scope filter of F_ bit `bit` (a constant). */
#define FILTER_POLICIES(cfg, bit) ((cfg)->filter_policies[__builtin_ctz(bit) & (MAX_FILTER_FLAGS - 1)])

statfn u64 scope_bits_pass(struct scope_bits *v, u64 eq_on)
{
	u64 eq = v ? v->eq : 0, ne = v ? v->ne : 0;
	return (~eq_on | eq) & ~ne;
}

/*
 * Whether a kind of filter (its F_ eq and ne bits) can still change the
 * result r: some policy in r has it. Otherwise its lookup is skipped.
 */
#define FILTER_USED(cfg, r, eq_bit, ne_bit) \
	((r) & (FILTER_POLICIES(cfg, eq_bit) | FILTER_POLICIES(cfg, ne_bit)))

#define MATCH_MAP(cfg, r, map, key, eq_bit, ne_bit)                                   \
	(FILTER_USED(cfg, r, eq_bit, ne_bit)                                            \
		 ? scope_bits_pass(bpf_map_lookup_elem(map, key), FILTER_POLICIES(cfg, eq_bit)) \
		 : ~0ULL)

statfn u64 match_comm(struct config *cfg, u64 r, const char *s)
{
	if (!FILTER_USED(cfg, r, F_COMM_EQ, F_COMM_NE))
		return ~0ULL;
	struct str16 key = {};
	__builtin_memcpy(key.s, s, sizeof(key.s));
	return scope_bits_pass(bpf_map_lookup_elem(&comm_filter, &key), FILTER_POLICIES(cfg, F_COMM_EQ));
}

/*
 * The uts filter compares the current task's whole nodename (hostnames are
 * up to 64 bytes; the header's uts keeps 16). Every event's header is filled
 * from the current task (or, at fork, the parent, which is current).
 */
statfn u64 match_uts(struct config *cfg, u64 r)
{
	if (!FILTER_USED(cfg, r, F_UTS_EQ, F_UTS_NE))
		return ~0ULL;
	struct str64 key = {};
	struct task_struct *t = CURRENT_TASK;
	struct uts_namespace *uts = BPF_CORE_READ(t, nsproxy, uts_ns);
	bpf_probe_read_kernel_str(key.s, sizeof(key.s), &uts->name.nodename);
	return scope_bits_pass(bpf_map_lookup_elem(&uts_filter, &key), FILTER_POLICIES(cfg, F_UTS_EQ));
}

/* uid< uid> pid< pid>: each policy's bounds, for the policies that have some. */
statfn u64 match_ranges(struct config *cfg, struct event_ctx *c)
{
	u64 ranged = FILTER_POLICIES(cfg, F_UID_LT) | FILTER_POLICIES(cfg, F_UID_GT) |
		     FILTER_POLICIES(cfg, F_PID_LT) | FILTER_POLICIES(cfg, F_PID_GT);
	u64 out = ~0ULL;
	for (u32 i = 0; i < MAX_POLICIES; i++) {
		if (!(ranged >> i))
			break;
		if (!((ranged >> i) & 1))
			continue;
		struct scope_range *r = &cfg->ranges[i];
		if (c->uid < r->uid_lo || c->uid > r->uid_hi || c->host_pid < r->pid_lo || c->host_pid > r->pid_hi)
			out &= ~(1ULL << i);
	}
	return out;
}

/* The identity of a file (struct file *). */
statfn struct file_id file_id_of(struct file *f)
{
	struct inode *ino = BPF_CORE_READ(f, f_inode);
	struct file_id id = {.dev = BPF_CORE_READ(ino, i_sb, s_dev), .ino = BPF_CORE_READ(ino, i_ino)};
	return id;
}

/* Records what process tgid runs (at exec: the file the kernel executed). */
statfn void proc_exe_set(u32 tgid, struct file *f)
{
	struct file_id id = file_id_of(f);
	bpf_map_update_elem(&proc_exe, &tgid, &id, BPF_ANY);
}

/*
 * The executable filter on the current task: what its process runs, as
 * recorded (proc_exe), or read once from mm->exe_file for a process that
 * started before tracing. A kernel thread (no mm) runs no file: {0, 0}.
 */
statfn u64 match_exe(struct config *cfg, u64 r, u32 tgid)
{
	if (!FILTER_USED(cfg, r, F_EXE_EQ, F_EXE_NE))
		return ~0ULL;
	struct file_id *id = bpf_map_lookup_elem(&proc_exe, &tgid);
	struct file_id cur = {};
	if (!id) {
		struct task_struct *t = CURRENT_TASK;
		struct file *file = BPF_CORE_READ(t, mm, exe_file);
		if (file) {
			cur = file_id_of(file);
			bpf_map_update_elem(&proc_exe, &tgid, &cur, BPF_ANY);
		}
		id = &cur;
	}
	return scope_bits_pass(bpf_map_lookup_elem(&exe_filter, id), FILTER_POLICIES(cfg, F_EXE_EQ));
}

/*
 * The policies (of `want`) whose scope filters other than follow and tree
 * hold for the task; stops at the first kind that leaves none, and skips a
 * kind no remaining policy has. The string and executable filters, the
 * dearest, go last. A subprogram of its own: its keys stay off the stack of
 * the hooks that inline everything else (sys_exit).
 */
static __noinline u64 match_scope(struct config *cfg, struct event_ctx *c, u64 want)
{
	u32 f = cfg->filter_flags;
	u64 r = want;

	if (f & (F_UID_LT | F_UID_GT | F_PID_LT | F_PID_GT))
		r &= match_ranges(cfg, c);
	if ((f & F_CONTAINER) && c->mntns == cfg->host_mntns)
		r &= ~FILTER_POLICIES(cfg, F_CONTAINER);
	if ((f & F_NOT_CONTAINER) && c->mntns != cfg->host_mntns)
		r &= ~FILTER_POLICIES(cfg, F_NOT_CONTAINER);
	if ((f & F_NEW_PID) && c->start_time < cfg->start_time)
		r &= ~FILTER_POLICIES(cfg, F_NEW_PID);
	if (!r)
		return 0;
	r &= MATCH_MAP(cfg, r, &uid_filter, &c->uid, F_UID_EQ, F_UID_NE);
	if (!r)
		return 0;
	r &= MATCH_MAP(cfg, r, &pid_filter, &c->host_pid, F_PID_EQ, F_PID_NE);
	if (!r)
		return 0;
	r &= MATCH_MAP(cfg, r, &mntns_filter, &c->mntns, F_MNTNS_EQ, F_MNTNS_NE);
	if (!r)
		return 0;
	r &= MATCH_MAP(cfg, r, &pidns_filter, &c->pidns, F_PIDNS_EQ, F_PIDNS_NE);
	if (!r)
		return 0;
	r &= match_comm(cfg, r, c->comm);
	if (!r)
		return 0;
	r &= match_uts(cfg, r);
	if (!r)
		return 0;
	return r & match_exe(cfg, r, c->host_pid);
}

/*
 * should_trace decides whether an event of the current task leaves the
 * kernel: some policy's scope holds. The policies it holds for go to
 * c->policies.
 *
 * tree=: the policy holds only for processes it follows (traced_procs, the
 * roots and their descendants). follow: a process the policy follows holds
 * whatever its other filters; one that passes them is followed from now on,
 * and its children from their fork.
 */
statfn bool should_trace(struct config *cfg, struct event_ctx *c)
{
	c->policies = 0;
	if (c->host_pid == cfg->tracee_pid)
		return false;
	u32 f = cfg->filter_flags;
	u64 all = cfg->policies;
	if (!f) {
		c->policies = all;
		return true;
	}
	u32 tgid = c->host_pid;
	u64 followed = 0;
	if (f & (F_TREE | F_FOLLOW)) {
		u64 *v = bpf_map_lookup_elem(&traced_procs, &tgid);
		if (v)
			followed = *v;
	}
	u64 tree = FILTER_POLICIES(cfg, F_TREE), follow = FILTER_POLICIES(cfg, F_FOLLOW);
	u64 held = follow & followed;                       /* followed: no more checks */
	u64 rest = all & (~tree | followed) & ~held;         /* tree=: only what it follows */
	if (rest)
		held |= match_scope(cfg, c, rest);
	held &= all;
	if (!held) {
		stat_inc(STAT_FILTERED);
		return false;
	}
	u64 newly = held & follow & ~followed;
	if (newly) {
		u64 v = followed | newly;
		bpf_map_update_elem(&traced_procs, &tgid, &v, BPF_ANY);
	}
	c->policies = held;
	return true;
}

#endif
