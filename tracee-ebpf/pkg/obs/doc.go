// Package obs holds the observability plumbing both binaries share: the
// HTTP server for Prometheus metrics and net/http/pprof (with its flags),
// and cheap per-event-id counters for hot paths.
package obs
