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
