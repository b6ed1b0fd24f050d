// Package events is tracee-ebpf's table of events: ids, names, sets and
// ordered, typed arguments. The table is generated from the schema under
// schema/ by ./gen, which also writes bpf/lib/events_gen.h, so the kernel
// and user space never disagree about an id or an argument's encoding.
package events
