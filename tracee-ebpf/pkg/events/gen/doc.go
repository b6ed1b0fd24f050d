// Command gen writes the events table (table_gen.go) and bpf/lib/events_gen.h
// from the event schema. Run it with go generate in tracee-ebpf/pkg/events.
package main
