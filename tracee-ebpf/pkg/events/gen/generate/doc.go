// Package generate renders the event schema as Go (the events table) and C
// (bpf/lib/events_gen.h). Output is deterministic: events in id order,
// gofmt'd Go.
package generate
