package e2e

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// Watched files are recognised by their directory's identity, however they
// are reached: /etc bind-mounted elsewhere (in a private mount namespace of
// a child), /etc/shadow read there is FAL-001's, with the canonical path.
// The kernel lets the open through by watched_dir (no path rule matches the
// spelling used).
func TestWatchedFilesThroughBindMount(t *testing.T) {
	p := StartPipeline(t, PipelineOptions{Rules: []string{"FAL-001"}})
	dir := filepath.Join(t.TempDir(), "etc")
	script := "mkdir -p " + dir + " && mount --bind /etc " + dir + " && exec cat " + dir + "/shadow " + dir + "/hostname >/dev/null"
	if out, err := exec.Command("unshare", "-m", "--propagation", "private", "sh", "-c", script).CombinedOutput(); err != nil {
		t.Fatalf("unshare: %v: %s", err, out)
	}
	f := mustFind(t, p, "FAL-001 through a bind mount of /etc", func(f Finding) bool {
		return f.SignatureMetadata.ID == "FAL-001" && dataStr(f, "pathname") == dir+"/shadow"
	})
	if got := dataStr(f, "canonical_path"); got != "/etc/shadow" {
		t.Errorf("canonical_path %q, want /etc/shadow (data %v)", got, f.Data)
	}
	p.Stop()
	for _, f := range p.Findings() {
		if f.SignatureMetadata.ID == "FAL-001" && dataStr(f, "pathname") == dir+"/hostname" {
			t.Errorf("hostname reported: %v", f.Data)
		}
	}
}
