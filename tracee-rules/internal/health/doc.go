// Package health holds tracee-rules' side of the detection self-test: a
// built-in canary signature that recognises tracee-ebpf's marker after it
// went through the whole pipeline (ring buffer, decoder, stream, input,
// engine) and keeps the freshness /healthz and tracee_detection_alive
// report. It never reports a finding.
package health
