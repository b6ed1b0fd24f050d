// Package obs holds the observability plumbing both binaries share: the
// HTTP server for Prometheus metrics, /healthz and net/http/pprof (with its
// flags), cheap per-event-id counters for hot paths, the health checks
// /healthz reports, and the detection canary (the marker tracee-ebpf sends
// through the pipeline and both binaries watch for).
package obs
