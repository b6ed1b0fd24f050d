/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cgroup_mkdir: a new cgroup v2 directory, its id (what events carry as
 * cgroup_id) and path. Sent whatever the scope filters when EMIT_CGROUP is
 * set, so that tracee-ebpf maps ids to containers even for a container that
 * is gone by the time its events are read. Args: cgroup_id, cgroup_path,
 * hierarchy_id.
 */
#ifndef TRACEE_HOOK_CGROUP_MKDIR_H
#define TRACEE_HOOK_CGROUP_MKDIR_H

#include "../lib/common.h"
#include "../lib/context.h"
#include "../lib/buffer.h"
#include "../lib/submit.h"

statfn int on_cgroup_mkdir(struct cgroup *cgrp, const char *path)
{
	struct config *cfg = get_config();
	if (!cfg || !(cfg->emit & EMIT_CGROUP))
		return 0;
	/* cgroup v1 hierarchies have their own ids: only the default (v2) one */
	int hier = BPF_CORE_READ(cgrp, root, hierarchy_id);
	if (hier != 0)
		return 0;
	struct event_buf *b = get_buf(SLOT_CGROUP);
	if (!b)
		return 0;
	fill_ctx(&b->ctx, CURRENT_TASK, EVENT_CGROUP_MKDIR, -1);
	buf_reset(b);
	arg_u64(b, 0, BPF_CORE_READ(cgrp, kn, id));
	arg_str(b, 1, path, false);
	arg_u32(b, 2, hier);
	submit(b, cfg);
	return 0;
}

#ifndef TRACEE_PROBE_READ
SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(tracee_cgroup_mkdir_btf, struct cgroup *cgrp, const char *path)
{
	return on_cgroup_mkdir(cgrp, path);
}
#else
SEC("raw_tp/cgroup_mkdir")
int tracee_cgroup_mkdir_raw(struct bpf_raw_tracepoint_args *ctx)
{
	return on_cgroup_mkdir((struct cgroup *)ctx->args[0], (const char *)ctx->args[1]);
}
#endif

#endif
