package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TRC-5 by what the executed file is: a copy of /bin/true on a tmpfs and a
// ramfs mounted under /tmp (where a path rule would call it ordinary), and
// on /dev (devtmpfs), from both ABIs; the finding is on the child that
// executed it.
func TestFilelessMemoryFileSystems(t *testing.T) {
	p := StartPipeline(t, PipelineOptions{Rules: []string{"TRC-5"}})
	for _, v := range []struct{ fs, dir string }{{"tmpfs", ""}, {"ramfs", ""}, {"devtmpfs", "/dev"}} {
		for _, trig := range []string{"fileless", "fileless-m32"} {
			t.Run(v.fs+"/"+trig, func(t *testing.T) {
				dir := v.dir
				if dir == "" {
					dir = t.TempDir()
					if out, err := exec.Command("mount", "-t", v.fs, "-o", "size=16m", "e2e-"+v.fs, dir).CombinedOutput(); err != nil {
						t.Fatalf("mount %s: %v\n%s", v.fs, err, out)
					}
					t.Cleanup(func() { exec.Command("umount", dir).Run() })
				}
				pid, out := runTriggerPid(t, trig, "dir", dir)
				child := outInt(t, out, "child")
				f := mustFind(t, p, "TRC-5 on "+v.fs, bySigPid("TRC-5", child))
				if got, want := dataStr(f, "reason"), "memory file system "+v.fs; got != want {
					t.Errorf("reason %q, want %q", got, want)
				}
				if got, want := dataStr(f, "pathname"), filepath.Join(dir, fmt.Sprintf("fileless-%d", pid)); got != want {
					t.Errorf("pathname %q, want %q", got, want)
				}
				if _, err := os.Stat(filepath.Join(dir, fmt.Sprintf("fileless-%d", pid))); err == nil {
					t.Errorf("the trigger left its copy in %s", dir)
				}
			})
		}
	}
}

// TRC-5 when what runs is not the file executed: a memfd shell script
// (the kernel runs /bin/sh, which reads /dev/fd/N), the same reached through
// a symlink, and a /dev/shm program run through the dynamic loader
// (ld.so PROGRAM), in both ABIs.
func TestFilelessScriptsAndLoader(t *testing.T) {
	p := StartPipeline(t, PipelineOptions{Rules: []string{"TRC-5"}})
	for _, trig := range []string{"fileless", "fileless-m32"} {
		for _, v := range []struct {
			mode  string
			child bool // the finding is on the child the trigger forked
		}{{"script", false}, {"script-link", true}, {"ldso", true}} {
			t.Run(trig+"/"+v.mode, func(t *testing.T) {
				pid, out := runTriggerPid(t, trig, v.mode)
				who := pid
				if v.child {
					who = outInt(t, out, "child")
				}
				f := mustFind(t, p, "TRC-5 "+v.mode, bySigPid("TRC-5", who))
				if f.Event.EventName != "security_file_open" || dataStr(f, "reason") == "" {
					t.Errorf("finding %s", describe([]Finding{f}))
				}
				t.Logf("finding:\n%s", describe([]Finding{f}))
			})
		}
	}
}
