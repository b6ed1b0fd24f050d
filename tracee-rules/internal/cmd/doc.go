// Package cmd is the tracee-rules command line: it reads tracee-ebpf's event
// stream, runs the selected signatures and prints findings.
//
// Optional features (Rego signatures, webhooks, metrics, pprof) plug in as
// Extensions registered from an init function in a file of this package, so
// that they add flags, signatures, sinks and background services without
// editing the run loop.
package cmd
