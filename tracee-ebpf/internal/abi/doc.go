// Package abi is the contract between tracee's BPF programs (bpf/) and
// tracee-ebpf, all of it generated:
//
//   - abi_gen.go: record flags, selection, emit and filter bits, filter
//     values, counters, scratch slots, the hooks and the events derived at
//     sys_exit or emitted by a hook, generated with bpf/lib/events_gen.h
//     from tracee-ebpf/pkg/events/schema (abi.yaml, events.yaml);
//   - tracee_bpfel.go, traceeraw_bpfel.go: the two compiled objects (tp_btf
//     and raw_tracepoint builds) with their typed maps, programs and the C
//     types exported by bpf2go -type (the record header, the config).
//
// RecordHeader is the Go view of struct event_ctx; a test checks it
// against the BTF of both objects.
package abi
