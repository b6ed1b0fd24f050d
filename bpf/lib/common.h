/* SPDX-License-Identifier: GPL-2.0 */
#ifndef TRACEE_COMMON_H
#define TRACEE_COMMON_H

#include "kernel_types.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "events_gen.h"
#include "event.h"
#include "maps.h"

#define statfn static __always_inline

/*
 * Clamp v with a mask the compiler cannot see through: after a range check the
 * compiler drops a plain `v &= mask` as redundant, and the verifier, which
 * tracks the register the compiler actually uses, loses the bound.
 */
#define BOUND_MASK(v, mask) asm volatile("%[x] &= " #mask : [x] "+r"(v))

/*
 * Reading kernel memory on the hot path. With tp_btf the task and the
 * tracepoint arguments are BTF pointers the verifier lets us dereference
 * directly (a plain load, no helper call); the raw_tracepoint build
 * (-DTRACEE_PROBE_READ) reads them with bpf_probe_read_kernel instead.
 * RD(p, a, b) is p->a->b either way. Variable-index accesses and cold paths
 * use BPF_CORE_READ in both builds.
 */
#define TR_CAT(a, b) a##b
#define TR_APPLY(fn, n) TR_CAT(fn, n)
#define TR_NARG(...) TR_NTH(__VA_ARGS__, 6, 5, 4, 3, 2, 1, 0)
#define TR_NTH(_1, _2, _3, _4, _5, _6, N, ...) N
#define TR_ARROW2(a, b) a->b
#define TR_ARROW3(a, b, c) a->b->c
#define TR_ARROW4(a, b, c, d) a->b->c->d
#define TR_ARROW5(a, b, c, d, e) a->b->c->d->e
#define TR_ARROW6(a, b, c, d, e, f) a->b->c->d->e->f

/*
 * AS_BTF(p, type): a kernel pointer read as a plain value (BPF_CORE_READ)
 * made one RD can read through (the bpf_rdonly_cast kfunc; a no-op in the
 * probe-read build).
 */
#ifdef TRACEE_PROBE_READ
#define RD(...) BPF_CORE_READ(__VA_ARGS__)
#define CURRENT_TASK ((struct task_struct *)bpf_get_current_task())
#define AS_BTF(p, type) ((type *)(p))
#else
#define RD(...) (TR_APPLY(TR_ARROW, TR_NARG(__VA_ARGS__))(__VA_ARGS__))
#define CURRENT_TASK bpf_get_current_task_btf()
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;
#define AS_BTF(p, type) ((type *)bpf_rdonly_cast((p), bpf_core_type_id_kernel(type)))
#endif

statfn void stat_inc(u32 which)
{
	u64 *v = bpf_map_lookup_elem(&stats, &which);
	if (v)
		*v += 1;
}

statfn struct config *get_config(void)
{
	u32 zero = 0;
	return bpf_map_lookup_elem(&config_map, &zero);
}

/* Key of this CPU's scratch record for a hook's slot. */
statfn u32 buf_key(u32 slot)
{
	return bpf_get_smp_processor_id() * SLOT_MAX + slot;
}

statfn struct event_buf *get_buf(u32 slot)
{
	u32 key = buf_key(slot);
	return bpf_map_lookup_elem(&scratch, &key);
}

#endif
