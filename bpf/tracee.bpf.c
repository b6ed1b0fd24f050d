/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tracee's eBPF programs. One header per attach point in hooks/, one per
 * event derived at sys_exit in derived/, helpers in lib/. Each hook has a
 * tp_btf and a raw_tp entry point; the loader attaches the one the kernel
 * supports (see tracee-ebpf/internal/probes).
 */
#include "lib/kernel_types.h"
#include "hooks/capture.h"
#include "hooks/pcap.h"
#include "hooks/sys_exit.h"
#include "hooks/sched_exec.h"
#include "hooks/sched_fork.h"
#include "hooks/sched_exit.h"
#include "hooks/io_uring.h"
#include "hooks/sock_state.h"
#include "hooks/cgroup_mkdir.h"
#include "hooks/proc_fops.h"

/* An empty program pair: the cost floor `make bench` compares against. */
SEC("raw_tp/sys_enter")
int tracee_empty_enter(void *ctx)
{
	return 0;
}

SEC("raw_tp/sys_exit")
int tracee_empty_exit(void *ctx)
{
	return 0;
}

#ifndef TRACEE_PROBE_READ
/* The same floor through tp_btf, to compare attach methods. */
SEC("tp_btf/sys_exit")
int BPF_PROG(tracee_empty_exit_btf)
{
	return 0;
}
#endif

char LICENSE[] SEC("license") = "GPL";
