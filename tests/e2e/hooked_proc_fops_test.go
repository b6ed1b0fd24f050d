package e2e

import (
	"strings"
	"testing"
	"time"
)

// TRC-1020 through both binaries. This kernel is clean, so the check with
// kallsyms' true addresses must stay quiet through many runs; with the
// test-only --proc-fops-test-expect making one expected address wrong, the
// same check must reach a finding naming that pointer (no rootkit can be
// loaded here: no module support).
func TestHookedProcFops(t *testing.T) {
	t.Run("clean kernel stays quiet", func(t *testing.T) {
		p := StartPipeline(t, PipelineOptions{Rules: []string{"TRC-1020"},
			EbpfArgs: []string{"--proc-fops-interval", "100ms"}})
		time.Sleep(2 * time.Second) // about 20 checks
		p.Stop()
		if n := len(p.Findings()); n != 0 {
			t.Errorf("%d findings on a clean kernel:\n%s", n, p.Diagnostics())
		}
		// the check's own complaints ("hooked_proc_fops check: ...",
		// "hooked_proc_fops unavailable"), not the policy lines naming the event
		if d := p.Diagnostics(); strings.Contains(d, "hooked_proc_fops check") || strings.Contains(d, "hooked_proc_fops unavailable") {
			t.Errorf("the check complained:\n%s", d)
		}
	})
	t.Run("forced mismatch is found", func(t *testing.T) {
		p := StartPipeline(t, PipelineOptions{Rules: []string{"TRC-1020"},
			EbpfArgs: []string{"--proc-fops-test-expect", "proc_tgid_base_lookup=0xffffffff81000000"}})
		f, ok := p.WaitFor(10*time.Second, func(f Finding) bool { return f.SignatureMetadata.ID == "TRC-1020" })
		p.Stop()
		if !ok {
			t.Fatalf("no TRC-1020 finding:\n%s", p.Diagnostics())
		}
		if f.Data["hooked"] != "proc_tgid_base_lookup" || f.Event.EventName != "hooked_proc_fops" {
			t.Errorf("finding %+v", f)
		}
		if a, _ := f.Data["proc_pid_lookup"].(string); !strings.HasPrefix(a, "0xffffffff8") || a == "0xffffffff81000000" {
			t.Errorf("proc_pid_lookup = %v, want the kernel's real address", f.Data["proc_pid_lookup"])
		}
		if n := len(p.Findings()); n != 1 {
			t.Errorf("%d findings, want 1 (one check, one pointer)", n)
		}
	})
}
