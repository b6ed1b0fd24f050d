/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One entry point per hook, built twice: as tp_btf in the default object
 * (the arguments are BTF pointers the verifier lets us dereference) and as
 * raw_tp in the -DTRACEE_PROBE_READ object. Both name the program
 * tracee_<prog> (abi.yaml hooks); the loader attaches the one the kernel
 * supports. Both contexts start with the tracepoint's arguments as u64s, so
 * HOOK_ARG(type, i) reads argument i the same way in either build.
 *
 *	TRACEE_HOOK(sched_process_fork, sched_fork,
 *		    on_fork(HOOK_ARG(struct task_struct *, 0), HOOK_ARG(struct task_struct *, 1)))
 */
#ifndef TRACEE_HOOK_H
#define TRACEE_HOOK_H

#include "common.h"

#define HOOK_ARG(type, i) ((type)(((u64 *)ctx)[i]))

#ifndef TRACEE_PROBE_READ
#define TRACEE_HOOK(tp, prog, call)                    \
	SEC("tp_btf/" #tp)                             \
	int tracee_##prog(u64 *ctx)                    \
	{                                              \
		return call;                           \
	}
#else
#define TRACEE_HOOK(tp, prog, call)                                    \
	SEC("raw_tp/" #tp)                                             \
	int tracee_##prog(struct bpf_raw_tracepoint_args *ctx)         \
	{                                                              \
		return call;                                           \
	}
#endif

#endif
