// Package decode turns raw ring-buffer records from tracee's eBPF programs
// into events. A record is a fixed header (struct event_ctx in
// bpf/lib/event.h) followed by arguments, each an index into the event's
// parameter list and a payload whose shape is the parameter's kind. The
// event table says the kinds, so there is no per-event decoding code.
package decode
