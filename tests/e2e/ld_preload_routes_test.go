package e2e

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// TRC-7 by every route: LD_AUDIT, LD_PRELOAD after 20 KiB of environment
// (past the captured env: found by the kernel's scan, ld_env), the loader
// run as a program with --preload, and /etc/ld.so.preload put in place by
// renameat relative to an /etc descriptor (sed -i), by a hard link and by
// a symlink (each removed at once; only when there is none), in both ABIs.
func TestLDPreloadRoutes(t *testing.T) {
	p := StartPipeline(t, PipelineOptions{Rules: []string{"TRC-7"}})
	for _, trig := range []string{"ld_preload", "ld_preload-m32"} {
		for _, v := range []struct{ mode, event, key, value string }{
			{"audit", "sched_process_exec", "LD_AUDIT", "/nonexistent-audit.so"},
			{"env-tail", "sched_process_exec", "LD_PRELOAD", "/nonexistent-tail.so"},
			{"ldso-preload", "sched_process_exec", "loader --preload", "/nonexistent.so"},
			{"rename", "renameat", "pathname", "/etc/ld.so.preload"},
			{"link", "security_inode_link", "pathname", "/etc/ld.so.preload"},
			{"symlink", "security_inode_symlink", "pathname", "/etc/ld.so.preload"},
		} {
			t.Run(trig+"/"+v.mode, func(t *testing.T) {
				if _, exists := readPreload(t); exists && (v.mode == "rename" || v.mode == "link" || v.mode == "symlink") {
					t.Skip("/etc/ld.so.preload exists on this host: not replacing it")
				}
				pid, _ := runTriggerPid(t, trig, v.mode)
				f := mustFind(t, p, "TRC-7 "+v.mode, func(f Finding) bool {
					return bySigPid("TRC-7", pid)(f) && f.Event.EventName == v.event
				})
				if got := dataStr(f, v.key); got != v.value {
					t.Errorf("data %s = %q, want %q (%s)", v.key, got, v.value, describe([]Finding{f}))
				}
				if _, exists := readPreload(t); exists {
					t.Errorf("the trigger left /etc/ld.so.preload behind")
				}
			})
		}
	}
}

// /etc/ld.so.preload by identity: opened for writing through a bind mount
// of /etc (the kernel recognises /etc by its inode: watched_dir).
func TestLDPreloadThroughBindMount(t *testing.T) {
	if _, exists := readPreload(t); exists {
		t.Skip("/etc/ld.so.preload exists on this host: not touching it")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "--bind", "/etc", dir).CombinedOutput(); err != nil {
		t.Fatalf("bind mount /etc: %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	p := StartPipeline(t, PipelineOptions{Rules: []string{"TRC-7"}})
	for _, trig := range []string{"ld_preload", "ld_preload-m32"} {
		t.Run(trig, func(t *testing.T) {
			pid, _ := runTriggerPid(t, trig, "preload-file", filepath.Join(dir, "ld.so.preload"))
			f := mustFind(t, p, "TRC-7 through a bind mount", bySigPid("TRC-7", pid))
			if got, want := dataStr(f, "pathname"), filepath.Join(dir, "ld.so.preload"); got != want {
				t.Errorf("pathname %q, want %q", got, want)
			}
			if _, exists := readPreload(t); exists {
				t.Errorf("the trigger left /etc/ld.so.preload behind")
			}
		})
	}
}
