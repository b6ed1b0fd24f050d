package e2e

import (
	"fmt"
	"os/exec"
	"path"
	"strings"
	"testing"
)

// standInEtc returns a command prefix (PipelineOptions.EbpfWrap) that runs
// tracee-ebpf in a private mount namespace whose /etc is a tmpfs copy of
// the host's (marked with .tracee-e2e-standin): the tracer's watched
// directories are the stand-in's, and triggers entered into that namespace
// (runInTracerNs) may replace files in it. The host's /etc is never touched.
func standInEtc(t *testing.T) []string {
	t.Helper()
	script := `set -e
mount -t tmpfs -o size=64m e2e-etc "$0"
cp -a /etc/. "$0"/
touch "$0"/.tracee-e2e-standin
mount --bind "$0" /etc
exec "$@"`
	return []string{"unshare", "--mount", "--propagation", "private", "sh", "-c", script, t.TempDir()}
}

// runInTracerNs runs a trigger in the tracer's mount namespace (nsenter
// execs it: the pid is the trigger's) and returns its pid and output.
func runInTracerNs(t *testing.T, p *Pipeline, name string, args ...string) (int, string) {
	t.Helper()
	argv := append([]string{fmt.Sprintf("--mount=/proc/%d/ns/mnt", p.ebpf.Process.Pid), "--", bin(name)}, args...)
	cmd := exec.Command("nsenter", argv...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("trigger %s %v in the tracer's namespace: %v\n%s", name, args, err, out)
	}
	if printed := outInt(t, string(out), "pid"); printed != cmd.Process.Pid {
		t.Fatalf("trigger %s printed pid=%d, started as %d", name, printed, cmd.Process.Pid)
	}
	return cmd.Process.Pid, string(out)
}

// Files put in watched directories are recognised by the directory's
// identity, not by the name used: /etc/ld.so.preload (TRC-7) and a cron.d
// entry (TRC-1027) put in place through a bind mount of /etc made in a
// mount namespace of the trigger's own, by a rename of absolute paths
// through the bind mount (crossing its mount point), a hard link relative
// to a dirfd of the bind mount, and a symlink spelt DIR/../NAME relative to
// that dirfd, and a rename through a symlink to the directory (../etc:
// followed in the kernel's walk), in both ABIs. The tracer runs with a stand-in /etc
// (standInEtc): the host's is never touched.
func TestWatchedDirIdentity(t *testing.T) {
	p := StartPipeline(t, PipelineOptions{Rules: []string{"TRC-7", "TRC-1027"}, EbpfWrap: standInEtc(t)})
	for _, trig := range []string{"ld_preload", "ld_preload-m32"} {
		for _, v := range []struct{ mode, event string }{
			{"standin-rename", "security_inode_rename"},
			{"standin-link", "security_inode_link"},
			{"standin-symlink", "security_inode_symlink"},
			{"standin-via-symlink", "security_inode_rename"},
		} {
			t.Run(trig+"/"+v.mode+"/ld.so.preload", func(t *testing.T) {
				pid, out := runInTracerNs(t, p, trig, v.mode)
				via := outStr(t, out, "via")
				f := mustFind(t, p, "TRC-7 "+v.mode, func(f Finding) bool {
					return bySigPid("TRC-7", pid)(f) && f.Event.EventName == v.event
				})
				if got := dataStr(f, "pathname"); got != "/etc/ld.so.preload" {
					t.Errorf("pathname %q, want /etc/ld.so.preload (%s)", got, describe([]Finding{f}))
				}
				if dataStr(f, "dir_unresolved") != "" {
					t.Errorf("found by name only: the kernel did not identify the directory (%s)", describe([]Finding{f}))
				}
				if used := dataStr(f, "path used"); !strings.HasPrefix(used, path.Dir(via)) || path.Base(used) != "ld.so.preload" {
					t.Errorf("path used %q, want the name through the bind mount %s (%s)", used, via, describe([]Finding{f}))
				}
			})
			t.Run(trig+"/"+v.mode+"/cron.d", func(t *testing.T) {
				pid, out := runInTracerNs(t, p, trig, v.mode, "cron.d/e2e")
				via := outStr(t, out, "via")
				f := mustFind(t, p, "TRC-1027 "+v.mode, func(f Finding) bool {
					return bySigPid("TRC-1027", pid)(f) && f.Event.EventName == v.event
				})
				if got := dataStr(f, "canonical_path"); got != "/etc/cron.d/e2e" {
					t.Errorf("canonical_path %q, want /etc/cron.d/e2e (%s)", got, describe([]Finding{f}))
				}
				if got := dataStr(f, "new_path"); path.Base(got) != "e2e" || !strings.HasPrefix(got, path.Dir(path.Dir(via))+"/") {
					t.Errorf("new_path %q, want the name through the bind mount %s", got, via)
				}
			})
		}
	}
}
