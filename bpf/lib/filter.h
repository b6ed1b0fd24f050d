/* SPDX-License-Identifier: GPL-2.0 */
/* In-kernel scope filters (pid, uid, namespaces, comm, uts, container, new, follow, tree, executable). */
#ifndef TRACEE_FILTER_H
#define TRACEE_FILTER_H

#include "common.h"

statfn bool match_u32(void *map, u32 key, u32 flags, u32 eq_bit, u32 ne_bit)
{
	if (!(flags & (eq_bit | ne_bit)))
		return true;
	u8 *v = bpf_map_lookup_elem(map, &key);
	if ((flags & eq_bit) && !(v && *v == FILTER_EQ))
		return false;
	if ((flags & ne_bit) && v && *v == FILTER_NE)
		return false;
	return true;
}

statfn bool match_str(void *map, const char *s, u32 flags, u32 eq_bit, u32 ne_bit)
{
	if (!(flags & (eq_bit | ne_bit)))
		return true;
	struct str16 key = {};
	__builtin_memcpy(key.s, s, sizeof(key.s));
	u8 *v = bpf_map_lookup_elem(map, &key);
	if ((flags & eq_bit) && !(v && *v == FILTER_EQ))
		return false;
	if ((flags & ne_bit) && v && *v == FILTER_NE)
		return false;
	return true;
}

/*
 * The uts filter compares the current task's whole nodename (hostnames are
 * up to 64 bytes; the header's uts keeps 16). Every event's header is filled
 * from the current task (or, at fork, the parent, which is current).
 */
statfn bool match_uts(u32 flags)
{
	if (!(flags & (F_UTS_EQ | F_UTS_NE)))
		return true;
	struct str64 key = {};
	struct task_struct *t = CURRENT_TASK;
	struct uts_namespace *uts = BPF_CORE_READ(t, nsproxy, uts_ns);
	bpf_probe_read_kernel_str(key.s, sizeof(key.s), &uts->name.nodename);
	u8 *v = bpf_map_lookup_elem(&uts_filter, &key);
	if ((flags & F_UTS_EQ) && !(v && *v == FILTER_EQ))
		return false;
	if ((flags & F_UTS_NE) && v && *v == FILTER_NE)
		return false;
	return true;
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
statfn bool match_exe(u32 flags, u32 tgid)
{
	if (!(flags & (F_EXE_EQ | F_EXE_NE)))
		return true;
	struct file_id *id = bpf_map_lookup_elem(&proc_exe, &tgid);
	struct file_id cur = {};
	if (!id) {
		struct task_struct *t = CURRENT_TASK;
		struct file *f = BPF_CORE_READ(t, mm, exe_file);
		if (f) {
			cur = file_id_of(f);
			bpf_map_update_elem(&proc_exe, &tgid, &cur, BPF_ANY);
		}
		id = &cur;
	}
	u8 *v = bpf_map_lookup_elem(&exe_filter, id);
	if ((flags & F_EXE_EQ) && !(v && *v == FILTER_EQ))
		return false;
	if ((flags & F_EXE_NE) && v && *v == FILTER_NE)
		return false;
	return true;
}

statfn bool match_scope(struct config *cfg, struct event_ctx *c)
{
	u32 f = cfg->filter_flags;

	if ((f & F_UID_LT) && !(c->uid < cfg->uid_lt))
		return false;
	if ((f & F_UID_GT) && !(c->uid > cfg->uid_gt))
		return false;
	if ((f & F_PID_LT) && !(c->host_pid < cfg->pid_lt))
		return false;
	if ((f & F_PID_GT) && !(c->host_pid > cfg->pid_gt))
		return false;
	if ((f & F_CONTAINER) && c->mntns == cfg->host_mntns)
		return false;
	if ((f & F_NOT_CONTAINER) && c->mntns != cfg->host_mntns)
		return false;
	if ((f & F_NEW_PID) && c->start_time < cfg->start_time)
		return false;
	if (!match_u32(&uid_filter, c->uid, f, F_UID_EQ, F_UID_NE))
		return false;
	if (!match_u32(&pid_filter, c->host_pid, f, F_PID_EQ, F_PID_NE))
		return false;
	if (!match_u32(&mntns_filter, c->mntns, f, F_MNTNS_EQ, F_MNTNS_NE))
		return false;
	if (!match_u32(&pidns_filter, c->pidns, f, F_PIDNS_EQ, F_PIDNS_NE))
		return false;
	if (!match_str(&comm_filter, c->comm, f, F_COMM_EQ, F_COMM_NE))
		return false;
	if (!match_uts(f))
		return false;
	if (!match_exe(f, c->host_pid))
		return false;
	return true;
}

/* should_trace decides whether an event of the current task leaves the kernel. */
statfn bool should_trace(struct config *cfg, struct event_ctx *c)
{
	if (c->host_pid == cfg->tracee_pid)
		return false;
	u32 f = cfg->filter_flags;
	if (!f)
		return true;
	u32 tgid = c->host_pid;
	bool followed = bpf_map_lookup_elem(&traced_procs, &tgid) != NULL;
	if ((f & F_TREE) && !followed)
		return false;
	if ((f & F_FOLLOW) && followed)
		return true;
	if (!match_scope(cfg, c)) {
		stat_inc(STAT_FILTERED);
		return false;
	}
	if (f & F_FOLLOW) {
		u8 one = 1;
		bpf_map_update_elem(&traced_procs, &tgid, &one, BPF_ANY);
	}
	return true;
}

#endif
