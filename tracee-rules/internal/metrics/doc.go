// Package metrics counts what tracee-rules reads, decodes, loses, detects
// and delivers, exports the counts as Prometheus metrics, and serves
// /metrics and net/http/pprof (see Start).
//
// The per-event methods are cheap enough for every event (atomic adds in a
// table indexed by event id) and all methods are no-ops on a nil *Metrics.
// Webhook outcomes are read from the webhook Sender's counters at scrape
// time (RegisterWebhook).
package metrics
