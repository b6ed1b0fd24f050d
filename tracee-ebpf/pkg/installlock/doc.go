// Package installlock makes one process at a time own what a binary keeps
// under an --install-path.
//
// tracee-ebpf owns its pid file and capture directory (out/), tracee-rules
// the webhook spool (spool/). Each takes an exclusive flock(2) on its own
// lock file in the install path (tracee-ebpf.lock, tracee-rules.lock), so the
// two binaries of one pipeline share an install path, while a second
// instance of either refuses to start with "install path DIR in use by pid
// N" instead of clobbering the first one's pid file or replaying its spool.
// The lock dies with the process (no stale lock after a crash); the file
// stays and holds the pid of the last owner.
package installlock
