// Package canary sends the detection self-test's marker: a helper process
// (tracee-ebpf re-executed, named tracee-canary) calls the harmless prctl
// that obs.IsCanary recognises every interval. It is a process of its own
// because tracee-ebpf's own tgid is never traced; it dies with tracee-ebpf.
package canary
