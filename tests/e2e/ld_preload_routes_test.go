package e2e

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"
)

// standInPreloadGone fails the test when /etc/ld.so.preload exists in the
// tracer's stand-in /etc (a trigger left it behind).
func standInPreloadGone(t *testing.T, p *Pipeline) {
	t.Helper()
	ns := fmt.Sprintf("--mount=/proc/%d/ns/mnt", p.ebpf.Process.Pid)
	if err := exec.Command("nsenter", ns, "--", "test", "!", "-e", "/etc/ld.so.preload").Run(); err != nil {
		t.Errorf("the trigger left /etc/ld.so.preload behind in the stand-in /etc: %v", err)
	}
}

// TRC-7 by every route: LD_AUDIT, LD_PRELOAD after 20 KiB of environment
// (past the captured env: found by the kernel's scan, ld_env), the loader
// run as a program with --preload, and /etc/ld.so.preload put in place by
// renameat relative to an /etc descriptor (sed -i), by a hard link and by
// a symlink (each removed at once), in both ABIs. The tracer and the
// triggers run in a mount namespace with a stand-in /etc (standInEtc): the
// host's /etc is never touched.
func TestLDPreloadRoutes(t *testing.T) {
	p := StartPipeline(t, PipelineOptions{Rules: []string{"TRC-7"}, EbpfWrap: standInEtc(t)})
	for _, trig := range []string{"ld_preload", "ld_preload-m32"} {
		for _, v := range []struct{ mode, event, key, value string }{
			{"audit", "sched_process_exec", "LD_AUDIT", "/nonexistent-audit.so"},
			{"env-tail", "sched_process_exec", "LD_PRELOAD", "/nonexistent-tail.so"},
			{"ldso-preload", "sched_process_exec", "loader --preload", "/nonexistent.so"},
			{"rename", "security_inode_rename", "pathname", "/etc/ld.so.preload"},
			{"link", "security_inode_link", "pathname", "/etc/ld.so.preload"},
			{"symlink", "security_inode_symlink", "pathname", "/etc/ld.so.preload"},
		} {
			t.Run(trig+"/"+v.mode, func(t *testing.T) {
				pid, _ := runInTracerNs(t, p, trig, v.mode)
				f := mustFind(t, p, "TRC-7 "+v.mode, func(f Finding) bool {
					return bySigPid("TRC-7", pid)(f) && f.Event.EventName == v.event
				})
				if got := dataStr(f, v.key); got != v.value {
					t.Errorf("data %s = %q, want %q (%s)", v.key, got, v.value, describe([]Finding{f}))
				}
				standInPreloadGone(t, p)
			})
		}
	}
}

// /etc/ld.so.preload by identity: opened for writing through a bind mount
// of /etc (the kernel recognises /etc by its inode: watched_dir), made in
// the tracer's mount namespace over its stand-in /etc.
func TestLDPreloadThroughBindMount(t *testing.T) {
	p := StartPipeline(t, PipelineOptions{Rules: []string{"TRC-7"}, EbpfWrap: standInEtc(t)})
	dir := t.TempDir()
	ns := fmt.Sprintf("--mount=/proc/%d/ns/mnt", p.ebpf.Process.Pid)
	if out, err := exec.Command("nsenter", ns, "--", "mount", "--bind", "/etc", dir).CombinedOutput(); err != nil {
		t.Fatalf("bind mount /etc in the tracer's namespace: %v\n%s", err, out)
	}
	t.Cleanup(func() { exec.Command("nsenter", ns, "--", "umount", dir).Run() })
	for _, trig := range []string{"ld_preload", "ld_preload-m32"} {
		t.Run(trig, func(t *testing.T) {
			pid, _ := runInTracerNs(t, p, trig, "preload-file", filepath.Join(dir, "ld.so.preload"))
			f := mustFind(t, p, "TRC-7 through a bind mount", bySigPid("TRC-7", pid))
			if got, want := dataStr(f, "pathname"), filepath.Join(dir, "ld.so.preload"); got != want {
				t.Errorf("pathname %q, want %q", got, want)
			}
			standInPreloadGone(t, p)
		})
	}
}
