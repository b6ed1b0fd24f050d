// Package e2e runs the real binaries: tracee-ebpf loads its eBPF programs
// into this kernel, attack simulations from tests/triggers run, and
// tracee-rules must report them. These tests need root; under CI=true a
// missing privilege fails the run instead of skipping it.
package e2e
