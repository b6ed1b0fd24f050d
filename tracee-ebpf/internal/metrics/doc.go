// Package metrics counts what tracee-ebpf reads, decodes, loses and writes,
// exports the counts as Prometheus metrics, and serves /metrics and
// net/http/pprof.
//
// The counting methods are for the tracer's hot path: each is one atomic
// add (per-event counts index a fixed table by event id), and all are no-ops
// on a nil *Metrics, so callers need no "metrics enabled" checks. The
// Prometheus side reads the counters only when scraped.
package metrics
