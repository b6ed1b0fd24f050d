// Package cmd is tracee-ebpf's command line: flags, start-up checks, and
// the wiring of probes, tracer and outputs.
package cmd
