package e2e

import (
	"fmt"
	"os/exec"
	"testing"
)

// TRC-3 beyond POKE and /proc/<pid>/mem: register hijacking
// (PTRACE_SETREGS) and the target's mem file through a second procfs
// mount, in both ABIs.
func TestCodeInjectionRoutes(t *testing.T) {
	procDir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "proc", "e2e-proc", procDir).CombinedOutput(); err != nil {
		t.Fatalf("mount proc: %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", procDir).Run() })
	p := StartPipeline(t, PipelineOptions{Rules: []string{"TRC-3"}})
	for _, trig := range []string{"code_injection", "code_injection-m32"} {
		for _, v := range []struct {
			mode string
			args []string
			want func(f Finding, child int) error
		}{
			{"setregs", nil, func(f Finding, child int) error {
				if got := dataStr(f, "ptrace request"); got != "PTRACE_SETREGS" {
					return fmt.Errorf("ptrace request %q, want PTRACE_SETREGS", got)
				}
				return nil
			}},
			{"proc-mem-at", []string{procDir}, func(f Finding, child int) error {
				if got, want := dataStr(f, "pathname"), fmt.Sprintf("%s/%d/mem", procDir, child); got != want {
					return fmt.Errorf("pathname %q, want %q", got, want)
				}
				return nil
			}},
		} {
			t.Run(trig+"/"+v.mode, func(t *testing.T) {
				pid, out := runTriggerPid(t, trig, append([]string{v.mode}, v.args...)...)
				child := outInt(t, out, "child")
				f := mustFind(t, p, "TRC-3 "+v.mode, bySigPid("TRC-3", pid))
				if err := v.want(f, child); err != nil {
					t.Errorf("%v\n%s", err, describe([]Finding{f}))
				}
			})
		}
	}
}
