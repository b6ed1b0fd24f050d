// Package lifecycle turns the ways a run can end into an orderly stop.
//
// A tracer whose consumer exits (tracee-rules killed, `| head`) must not die
// of SIGPIPE: it stops as on SIGTERM — probes detached, the kernel buffer
// drained, the summary printed, the pid file removed — and exits 0.
// HandleSIGPIPE makes a write to a closed pipe fail with EPIPE instead of
// killing the process, and WatchReader notices a reader that went away even
// while nothing is being written.
package lifecycle
