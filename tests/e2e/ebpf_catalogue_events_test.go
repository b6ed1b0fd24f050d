package e2e

import (
	"os"
	"path/filepath"
	"testing"
)

// security_sb_mount is derived from every mount attempt: the propagation
// change making the trigger's mount namespace private, a tmpfs mount that
// succeeds and a device mount that fails (ENOENT) in that namespace.
func TestSbMountEvent(t *testing.T) {
	tr := StartJSON(t, "event=security_sb_mount")
	pid, out := runTriggerPid(t, "mount_dev", "/mnt", "/dev/tracee-trigger-none")
	if outInt(t, out, "tmpfs") != 0 || outInt(t, out, "device") != -1 {
		t.Fatalf("unexpected mount results:\n%s", out)
	}
	for _, want := range []struct{ dev, typ string }{{"tmpfs", "tmpfs"}, {"/dev/tracee-trigger-none", "ext4"}} {
		e := tr.MustEvent("security_sb_mount of "+want.dev, func(e EbpfEvent) bool {
			return e.EventName == "security_sb_mount" && e.HostProcessID == pid && e.Str("dev_name") == want.dev
		})
		if e.Str("path") != "/mnt" || e.Str("type") != want.typ {
			t.Errorf("event %s: want path /mnt, type %s", e, want.typ)
		}
		if _, ok := e.Int("flags"); !ok {
			t.Errorf("event %s has no flags", e)
		}
	}
	// and the propagation change that made its namespace private (no device)
	tr.MustEvent("security_sb_mount of the propagation change", func(e EbpfEvent) bool {
		return e.EventName == "security_sb_mount" && e.HostProcessID == pid && e.Str("dev_name") == "" && e.Str("path") == "/"
	})
	if n := len(filterEvents(tr.StopEvents(), func(e EbpfEvent) bool { return e.HostProcessID == pid })); n != 3 {
		t.Errorf("%d security_sb_mount events for the trigger, want 3", n)
	}
}

// sched_process_exec's prev_comm is the name before the exec: the parent's
// for a forked child (the trigger after the test process), the name a
// process gave itself (prctl) for its child's exec.
func TestExecPrevComm(t *testing.T) {
	tr := StartJSON(t, "event=sched_process_exec")
	pid, out := runTriggerPid(t, "exec_tricks", "web-shell")
	child := outInt(t, out, "child")
	self, err := os.ReadFile("/proc/self/comm")
	if err != nil {
		t.Fatal(err)
	}
	trig := tr.MustEvent("exec of the trigger", func(e EbpfEvent) bool {
		return e.EventName == "sched_process_exec" && e.HostProcessID == pid
	})
	if got, want := trig.Str("prev_comm"), string(self[:len(self)-1]); got != want {
		t.Errorf("trigger's prev_comm %q, want the test's name %q (%s)", got, want, trig)
	}
	if trig.ProcessName != "exec_tricks" {
		t.Errorf("trigger's comm %q, want exec_tricks", trig.ProcessName)
	}
	sh := tr.MustEvent("exec of the shell", func(e EbpfEvent) bool {
		return e.EventName == "sched_process_exec" && e.HostProcessID == child
	})
	if got := sh.Str("prev_comm"); got != "nginx" {
		t.Errorf("shell's prev_comm %q, want nginx (%s)", got, sh)
	}
	if filepath.Base(sh.Str("pathname")) != "dash" && filepath.Base(sh.Str("pathname")) != "sh" && filepath.Base(sh.Str("pathname")) != "bash" {
		t.Errorf("shell pathname %q", sh.Str("pathname"))
	}
}
