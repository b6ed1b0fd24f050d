package e2e

import (
	"fmt"
	"testing"
)

// Opens submitted through io_uring (no open syscall) reach the signatures
// as security_file_open marked ioUring: /etc/ld.so.preload for writing
// (TRC-7) and another process's mem file (TRC-3), in both ABIs; the ring's
// creation is an io_uring_create event.
func TestIoUringOpens(t *testing.T) {
	p := StartPipeline(t, PipelineOptions{Rules: []string{"TRC-3", "TRC-7"}})
	for _, trig := range []string{"uring", "uring-m32"} {
		t.Run(trig+"/preload", func(t *testing.T) {
			before, existed := readPreload(t)
			pid, _ := runTriggerPid(t, trig, "preload")
			if after, exists := readPreload(t); exists != existed || string(after) != string(before) {
				t.Fatalf("/etc/ld.so.preload changed")
			}
			f := mustFind(t, p, "TRC-7 io_uring open", bySigPid("TRC-7", pid))
			if f.Event.EventName != "security_file_open" || !f.Event.ContextFlags.IoUring {
				t.Errorf("finding on %s, ioUring %v; want security_file_open from io_uring", f.Event.EventName, f.Event.ContextFlags.IoUring)
			}
		})
		t.Run(trig+"/proc-mem", func(t *testing.T) {
			pid, out := runTriggerPid(t, trig, "proc-mem")
			child := outInt(t, out, "child")
			f := mustFind(t, p, "TRC-3 io_uring open", bySigPid("TRC-3", pid))
			if got, want := dataStr(f, "pathname"), fmt.Sprintf("/proc/%d/mem", child); got != want || !f.Event.ContextFlags.IoUring {
				t.Errorf("pathname %q ioUring %v, want %q from io_uring", got, f.Event.ContextFlags.IoUring, want)
			}
		})
	}
}

// io_uring_create is its own event.
func TestIoUringCreateEvent(t *testing.T) {
	requirePrivileged(t)
	tr := StartJSON(t, "comm=uring,uring-m32", "event=io_uring_create")
	tr.WaitReady()
	pid, _ := runTriggerPid(t, "uring", "proc-mem")
	e := tr.MustEvent("io_uring_create", func(e EbpfEvent) bool { return e.HostProcessID == pid && e.EventName == "io_uring_create" })
	if n, _ := e.Int("sq_entries"); n != 4 {
		t.Errorf("sq_entries %d, want 4 (%s)", n, e)
	}
}
