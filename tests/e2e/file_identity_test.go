package e2e

import (
	"path/filepath"
	"testing"
)

// New names and nameless opens, each as an absolute path from where the
// kernel looked it up (dirfds, the cwd, an O_TMPFILE's descriptor), in both
// ABIs: security_inode_link (link/linkat), security_inode_symlink
// (symlink/symlinkat) and security_file_open from open_by_handle_at.
func TestFileIdentityEvents(t *testing.T) {
	requirePrivileged(t)
	tr := StartJSON(t, "comm=file_identity,file_identity-m", "event=security_inode_link,security_inode_symlink,security_file_open")
	tr.WaitReady()
	for _, trig := range []string{"file_identity", "file_identity-m32"} {
		for _, v := range []struct {
			mode, event string
			args        map[string]string // argument -> path under dir ("" keys skipped)
		}{
			{"link", "security_inode_link", map[string]string{"old_path": "a", "new_path": "sub/hard"}},
			{"tmpfile", "security_inode_link", map[string]string{"new_path": "linked"}},
			{"symlink", "security_inode_symlink", map[string]string{"linkpath": "sub/soft"}},
			{"handle", "security_file_open", map[string]string{"pathname": "a"}},
		} {
			t.Run(trig+"/"+v.mode, func(t *testing.T) {
				dir, err := filepath.EvalSymlinks(t.TempDir())
				if err != nil {
					t.Fatal(err)
				}
				pid, _ := runTriggerPid(t, trig, v.mode, dir)
				e := tr.MustEvent(v.event+" of "+v.mode, func(e EbpfEvent) bool {
					return e.HostProcessID == pid && e.EventName == v.event &&
						(v.event != "security_file_open" || e.Str("syscall_pathname") == "")
				})
				for arg, rel := range v.args {
					if got, want := e.Str(arg), filepath.Join(dir, rel); got != want {
						t.Errorf("%s %q, want %q (%s)", arg, got, want, e)
					}
				}
				switch v.mode {
				case "symlink":
					if got := e.Str("target"); got != "../a" {
						t.Errorf("target %q, want ../a as written", got)
					}
				case "tmpfile":
					// the O_TMPFILE has no name; its path is the directory's plus "#inode"
					// or "/dir/#N (deleted)" depending on the kernel: only its directory is asserted
					if got := filepath.Dir(e.Str("old_path")); got != dir {
						t.Errorf("old_path %q, want a file in %s", e.Str("old_path"), dir)
					}
				case "handle":
					if got := e.Str("flags"); got != "O_WRONLY" && got != "O_WRONLY|O_LARGEFILE" {
						t.Errorf("flags %q, want O_WRONLY", got)
					}
				}
			})
		}
	}
}
