package e2e

import (
	"testing"
	"time"
)

// The pipeline issue's acceptance run: anti-debugging and module loading
// are reported with the culprit's pid and name, over a pipe and over a unix
// socket, and ordinary commands produce nothing.
func TestPipelineDetectsAntiDebugAndModuleLoad(t *testing.T) {
	for _, mode := range []struct {
		name string
		unix bool
	}{{"pipe", false}, {"unix", true}} {
		t.Run(mode.name, func(t *testing.T) {
			p := StartPipeline(t, PipelineOptions{Unix: mode.unix, Rules: []string{"TRC-2", "TRC-6"}})

			// ordinary work first: nothing may fire for it
			for _, c := range [][]string{{"ls", "/"}, {"cat", "/etc/hostname"}, {"sh", "-c", "echo hi | wc -c"}} {
				runCmd(t, c...)
			}

			adPid, _ := RunTrigger(t, "anti_debug")
			kmPid, _ := RunTrigger(t, "kmod")

			for _, want := range []struct {
				id, comm string
				pid      int
				event    string
			}{
				{"TRC-2", "anti_debug", adPid, "ptrace"},
				{"TRC-6", "kmod", kmPid, "init_module"},
				{"TRC-6", "kmod", kmPid, "finit_module"},
			} {
				f, ok := p.WaitFor(10*time.Second, func(f Finding) bool {
					return bySigPid(want.id, want.pid)(f) && f.Event.EventName == want.event
				})
				if !ok {
					t.Fatalf("no %s finding for %s (pid %d)\n%s", want.id, want.event, want.pid, p.Diagnostics())
				}
				if f.Event.ProcessName != want.comm {
					t.Errorf("%s: process name %q, want %q", want.id, f.Event.ProcessName, want.comm)
				}
			}
			p.Stop()
			for _, f := range p.Findings() {
				if f.Event.ProcessName != "anti_debug" && f.Event.ProcessName != "kmod" {
					t.Errorf("unexpected finding for ordinary work: %s on %s by %s (pid %d)",
						f.SignatureMetadata.ID, f.Event.EventName, f.Event.ProcessName, f.Event.HostProcessID)
				}
			}
		})
	}
}
