package e2e

import "testing"

// TRC-4 beyond W+X in one call: the flip (RW, then R-X: never both at
// once), personality(READ_IMPLIES_EXEC), shmat(SHM_EXEC), a memfd mapped
// shared-writable and executable (double mapping), in both ABIs.
func TestDynamicCodeLoadingRoutes(t *testing.T) {
	p := StartPipeline(t, PipelineOptions{Rules: []string{"TRC-4"}})
	for _, trig := range []string{"wx_mem", "wx_mem-m32"} {
		for _, v := range []struct{ mode, event, reason string }{
			{"flip", "mem_prot_alert", "writable memory made executable"},
			{"read-implies-exec", "personality", "READ_IMPLIES_EXEC"},
			{"shm-exec", "shmat", "SHM_EXEC"},
			{"double-map", "security_mmap_file", "one file mapped shared-writable and executable"},
		} {
			t.Run(trig+"/"+v.mode, func(t *testing.T) {
				pid, _ := runTriggerPid(t, trig, v.mode)
				f := mustFind(t, p, "TRC-4 "+v.mode, func(f Finding) bool {
					return bySigPid("TRC-4", pid)(f) && f.Event.EventName == v.event
				})
				if got := dataStr(f, "reason"); got != v.reason {
					t.Errorf("reason %q, want %q (%s)", got, v.reason, describe([]Finding{f}))
				}
			})
		}
	}
}
