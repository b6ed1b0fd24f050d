/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cgroup_mkdir: a new cgroup v2 directory, its id (what events carry as
 * cgroup_id) and path. Sent whatever the scope filters when
 * EMIT_CGROUP_MKDIR is set, so that tracee-ebpf maps ids to containers even
 * for a container that is gone by the time its events are read. Args:
 * cgroup_id, cgroup_path, hierarchy_id.
 */
#ifndef TRACEE_HOOK_CGROUP_MKDIR_H
#define TRACEE_HOOK_CGROUP_MKDIR_H

#include "../lib/common.h"
#include "../lib/context.h"
#include "../lib/buffer.h"
#include "../lib/submit.h"
#include "../lib/hook.h"

statfn int on_cgroup_mkdir(struct cgroup *cgrp, const char *path)
{
	struct config *cfg = get_config();
	if (!cfg || !(cfg->emit & EMIT_CGROUP_MKDIR))
		return 0;
	/* cgroup v1 hierarchies have their own ids: only the default (v2) one */
	int hier = BPF_CORE_READ(cgrp, root, hierarchy_id);
	if (hier != 0)
		return 0;
	struct event_buf *b = get_buf(SLOT_CGROUP_MKDIR);
	if (!b)
		return 0;
	fill_ctx(&b->ctx, CURRENT_TASK, EVENT_CGROUP_MKDIR, -1);
	buf_reset(b);
	arg_u64(b, CGROUP_MKDIR__CGROUP_ID, BPF_CORE_READ(cgrp, kn, id));
	arg_str(b, CGROUP_MKDIR__CGROUP_PATH, path, false);
	arg_u32(b, CGROUP_MKDIR__HIERARCHY_ID, hier);
	submit(b, cfg);
	return 0;
}

TRACEE_HOOK(cgroup_mkdir, cgroup_mkdir,
	    on_cgroup_mkdir(HOOK_ARG(struct cgroup *, 0), HOOK_ARG(const char *, 1)))

#endif
