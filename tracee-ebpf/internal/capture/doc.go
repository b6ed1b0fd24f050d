// Package capture implements tracee-ebpf's --capture: forensic artifacts
// copied in user space while the event stream is handled.
//
//   - exec: on sched_process_exec the executed binary is read through
//     /proc/<hostpid>/exe (which also reaches memfd and deleted files while
//     the process lives) and stored once, content-addressed, as
//     <dir>/exec/<sha256>. A bounded cache keyed by the file's identity
//     (dev, inode, size, ctime, mtime) spares re-hashing a binary that runs
//     over and over.
//   - mem: on mem_prot_alert the alerted range [addr, addr+len) is read from
//     /proc/<hostpid>/mem into <dir>/mem/<hostpid>-<addr>-<time>.bin, bounded
//     per dump and in total.
//
// Each capture (and each skipped or failed one that got as far as the
// process) is described by one JSON line in <dir>/<kind>/index.jsonl.
// Event args are never changed. The work runs in one worker goroutine fed
// by a bounded queue: the event loop never waits on it; when the queue is
// full the capture is dropped and counted.
package capture
