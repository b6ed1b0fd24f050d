package e2e

import "testing"

// TRC-4 beyond W+X in one call: the flip (RW, then R-X: never both at
// once), also after mremap moved the written range (MAYMOVE|FIXED,
// DONTUNMAP), memory written through one mapping and run through another
// (an mremap old_size-0 alias made R-X; a memfd, a regular file, a POSIX
// shm object mapped shared-writable and executable; a SysV segment
// attached writable and SHM_EXEC), personality(READ_IMPLIES_EXEC),
// shmat(SHM_EXEC), code written in the brk heap or on the stack (memory no
// mmap made) and memory written, made read-only and then executable, in
// both ABIs. Every trigger ran the code it wrote.
func TestDynamicCodeLoadingRoutes(t *testing.T) {
	p := StartPipeline(t, PipelineOptions{Rules: []string{"TRC-4"}})
	for _, trig := range []string{"wx_mem", "wx_mem-m32"} {
		for _, v := range []struct{ mode, event, reason string }{
			{"flip", "mem_prot_alert", "writable memory made executable"},
			{"read-implies-exec", "personality", "READ_IMPLIES_EXEC"},
			{"shm-exec", "shmat", "SHM_EXEC"},
			{"double-map", "security_mmap_file", "one file mapped shared-writable and executable"},
			{"double-map-file", "security_mmap_file", "one file mapped shared-writable and executable"},
			{"double-map-shm", "security_mmap_file", "one file mapped shared-writable and executable"},
			// no mmap asks for shared-writable: mprotect makes the shared mapping writable
			{"double-map-mprotect", "mem_prot_alert", "one file mapped shared-writable and executable"},
			{"shm-double", "shmat", "SHM_EXEC"},
			{"mremap", "mem_prot_alert", "writable memory made executable"},
			{"mremap-dontunmap", "mem_prot_alert", "writable memory made executable"},
			// W through the original, X through the alias: shared memory
			// that another mapping writes
			{"mremap-alias", "mem_prot_alert", "writable memory made executable"},
			// memory no mmap made writable: the brk heap, the stack; and
			// memory written, made read-only, then executable
			{"heap", "mem_prot_alert", "writable memory made executable"},
			{"stack", "mem_prot_alert", "writable memory made executable"},
			{"readonly-flip", "mem_prot_alert", "writable memory made executable"},
		} {
			t.Run(trig+"/"+v.mode, func(t *testing.T) {
				pid, _ := runTriggerPid(t, trig, v.mode)
				f := mustFind(t, p, "TRC-4 "+v.mode, func(f Finding) bool {
					return bySigPid("TRC-4", pid)(f) && f.Event.EventName == v.event
				})
				if got := dataStr(f, "reason"); got != v.reason {
					t.Errorf("reason %q, want %q (%s)", got, v.reason, describe([]Finding{f}))
				}
				if v.mode == "mremap-alias" && dataStr(f, "alert") != "Protection changed to Executable!" {
					t.Errorf("alert %q, want the alias made executable (%s)", dataStr(f, "alert"), describe([]Finding{f}))
				}
			})
		}
		// Memory made executable with nothing written in it is no finding;
		// a flip run after it proves its events were judged.
		t.Run(trig+"/clean-flip", func(t *testing.T) {
			clean, _ := runTriggerPid(t, trig, "clean-flip")
			flip, _ := runTriggerPid(t, trig, "flip")
			mustFind(t, p, "TRC-4 flip after clean-flip", bySigPid("TRC-4", flip))
			for _, f := range p.Findings() {
				if bySigPid("TRC-4", clean)(f) {
					t.Errorf("clean-flip reported: %s", describe([]Finding{f}))
				}
			}
		})
	}
}
