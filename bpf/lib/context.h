/* SPDX-License-Identifier: GPL-2.0 */
/* Filling the record header from the current task. */
#ifndef TRACEE_CONTEXT_H
#define TRACEE_CONTEXT_H

#include "common.h"

/* The task's number in its own (innermost) pid namespace. */
statfn u32 task_ns_nr(struct task_struct *t)
{
	t = AS_BTF(t, struct task_struct);
	struct pid *p = RD(t, thread_pid);
	unsigned int level = RD(p, level);
	if (!level) /* the initial namespace: its numbers are the host's */
		return RD(t, pid);
	return BPF_CORE_READ(p, numbers[level].nr); /* a variable index: a probe read */
}

statfn u32 task_ns_tgid(struct task_struct *t)
{
	return task_ns_nr(RD(AS_BTF(t, struct task_struct), group_leader));
}

statfn void fill_ctx(struct event_ctx *c, struct task_struct *t, s32 event_id, s32 sc)
{
	u64 id = bpf_get_current_pid_tgid();
	struct task_struct *parent = RD(t, real_parent);
	struct pid *tp = RD(t, thread_pid);

	c->ts = bpf_ktime_get_boot_ns();
#ifdef TRACEE_PROBE_READ
	c->cgroup_id = bpf_get_current_cgroup_id();
#else
	/* what bpf_get_current_cgroup_id returns, as direct loads */
	c->cgroup_id = RD(t, cgroups, dfl_cgrp, kn, id);
#endif
	c->start_time = RD(t, group_leader, start_time);
	c->retval = 0;
	c->host_pid = id >> 32;
	c->host_tid = (u32)id;
	c->host_ppid = RD(parent, tgid);
	if (RD(tp, level) == 0) {
		/* in the initial pid namespace, namespace ids are host ids */
		c->pid = c->host_pid;
		c->tid = c->host_tid;
		c->ppid = c->host_ppid;
		c->pidns = RD(tp, numbers[0].ns, ns.inum);
	} else {
		c->pid = task_ns_tgid(t);
		c->tid = task_ns_nr(t);
		c->ppid = task_ns_tgid(parent);
		unsigned int level = BPF_CORE_READ(tp, level);
		c->pidns = BPF_CORE_READ(tp, numbers[level].ns, ns.inum);
	}
	u64 ug = bpf_get_current_uid_gid();
	c->uid = (u32)ug;
	c->gid = ug >> 32;
	c->mntns = RD(t, nsproxy, mnt_ns, ns.inum);
	c->event_id = event_id;
	c->syscall = sc;
	c->cpu = bpf_get_smp_processor_id();
	c->argnum = 0;
	c->flags = 0;
	c->policies = ~0ULL; /* should_trace narrows it to the policies whose scope holds */
#ifdef TRACEE_PROBE_READ
	bpf_get_current_comm(c->comm, sizeof(c->comm));
#else
	*(u64 *)&c->comm[0] = *(u64 *)&t->comm[0];
	*(u64 *)&c->comm[8] = *(u64 *)&t->comm[8];
#endif
	struct uts_namespace *uts = RD(t, nsproxy, uts_ns);
#ifdef TRACEE_PROBE_READ
	bpf_probe_read_kernel(c->uts, sizeof(c->uts), &uts->name.nodename);
#else
	/* two direct 8-byte loads instead of a helper call */
	*(u64 *)&c->uts[0] = *(u64 *)&uts->name.nodename[0];
	*(u64 *)&c->uts[8] = *(u64 *)&uts->name.nodename[8];
#endif
}

#endif
