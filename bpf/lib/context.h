/* SPDX-License-Identifier: GPL-2.0 */
/* Filling the record header from the current task. */
#ifndef TRACEE_CONTEXT_H
#define TRACEE_CONTEXT_H

#include "common.h"

/* The task's number in its own (innermost) pid namespace. */
statfn u32 task_ns_nr(struct task_struct *t)
{
	struct pid *p = BPF_CORE_READ(t, thread_pid);
	unsigned int level = BPF_CORE_READ(p, level);
	return BPF_CORE_READ(p, numbers[level].nr);
}

statfn u32 task_ns_tgid(struct task_struct *t)
{
	return task_ns_nr(BPF_CORE_READ(t, group_leader));
}

statfn u32 task_mntns(struct task_struct *t)
{
	return BPF_CORE_READ(t, nsproxy, mnt_ns, ns.inum);
}

statfn u32 task_pidns(struct task_struct *t)
{
	return BPF_CORE_READ(t, nsproxy, pid_ns_for_children, ns.inum);
}

statfn u32 task_host_ppid(struct task_struct *t)
{
	return BPF_CORE_READ(t, real_parent, tgid);
}

statfn void fill_ctx(struct event_ctx *c, struct task_struct *t, s32 event_id, s32 sc)
{
	u64 id = bpf_get_current_pid_tgid();
	struct task_struct *parent = BPF_CORE_READ(t, real_parent);

	c->ts = bpf_ktime_get_boot_ns();
	c->cgroup_id = bpf_get_current_cgroup_id();
	c->start_time = BPF_CORE_READ(t, group_leader, start_time);
	c->retval = 0;
	c->host_pid = id >> 32;
	c->host_tid = (u32)id;
	c->host_ppid = BPF_CORE_READ(parent, tgid);
	c->pid = task_ns_tgid(t);
	c->tid = task_ns_nr(t);
	c->ppid = task_ns_tgid(parent);
	u64 ug = bpf_get_current_uid_gid();
	c->uid = (u32)ug;
	c->gid = ug >> 32;
	c->mntns = task_mntns(t);
	{
		/* the pid namespace the task lives in: that of its innermost pid number */
		struct pid *p = BPF_CORE_READ(t, thread_pid);
		unsigned int level = BPF_CORE_READ(p, level);
		c->pidns = BPF_CORE_READ(p, numbers[level].ns, ns.inum);
	}
	c->event_id = event_id;
	c->syscall = sc;
	c->cpu = bpf_get_smp_processor_id();
	c->argnum = 0;
	c->flags = 0;
	bpf_get_current_comm(c->comm, sizeof(c->comm));
	struct uts_namespace *uts = BPF_CORE_READ(t, nsproxy, uts_ns);
	bpf_probe_read_kernel_str(c->uts, sizeof(c->uts), &uts->name.nodename);
}

#endif
