// Package tracer runs tracee-ebpf's event loop: it reads records from the
// kernel ring buffer, decodes them, keeps the process tree, derives
// user-space events, applies user-space filters and hands what was asked
// for to the printer. Kernel-side losses are polled and reported in the
// stream and at exit.
package tracer
