// Package events knows the event names tracee-ebpf produces: x86_64
// syscalls (id = syscall number) and the events with ids >= 1000 listed in
// docs/design.md. The input uses it to count events it does not know and to
// fill in a missing name or id.
package events
