// Package input reads the events tracee-ebpf produces into *traceepb.Event:
// the protobuf stream (proto/stream: Header, then Event and Lost frames) or
// Tracee-JSON (one event per line), from a file, stdin or a unix socket
// served by tracee-ebpf (reconnecting with backoff when the producer restarts;
// every connection is a new stream starting with a Header).
//
// Bad input is reported (with its byte offset or line number), counted, and
// reading continues where the format allows: a corrupt protobuf frame or a bad
// JSON line is skipped; a truncated or oversized frame ends the stream. Events
// with names this build does not know are passed on and counted.
package input
