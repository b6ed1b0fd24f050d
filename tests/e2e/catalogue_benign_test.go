package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// With every signature loaded, the ordinary work of a machine raises
// nothing: an interactive shell session, installing a package with apt-get
// (dpkg writing /usr, running its scripts), Python, a gcc build, and a
// private dockerd starting plain containers. Only this test's processes (its
// descendants and its containers) are judged: the machine is shared.
func TestCatalogueBenignWorkload(t *testing.T) {
	if _, err := exec.LookPath("apt-get"); err != nil {
		t.Skip("no apt-get")
	}
	d := StartDockerd(t)
	busybox, err := exec.LookPath("busybox")
	if err != nil {
		t.Fatalf("busybox (static, make deps installs busybox-static): %v", err)
	}
	img := d.BuildScratchImage(t, "e2e-benign:1", map[string]string{"/bin/busybox": busybox}, "/bin/busybox")
	p := StartPipeline(t, PipelineOptions{Rules: listedSignatures(t)})
	dir := t.TempDir()
	src := filepath.Join(dir, "hello.c")
	if err := os.WriteFile(src, []byte("#include <stdio.h>\nint main(void){puts(\"hello\");return 0;}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "HOME="+dir, "HISTFILE="+filepath.Join(dir, ".bash_history"), "DEBIAN_FRONTEND=noninteractive")
	for _, w := range []struct {
		argv  []string
		stdin string
	}{
		{[]string{"bash", "-i"}, "cd /tmp\nls -la | head -3\nid\ncat /etc/os-release | grep -c NAME\nhistory | tail -2\nexit\n"},
		{[]string{"apt-get", "-o", "DPkg::Lock::Timeout=300", "install", "--reinstall", "-y", "-q", "ncat"}, ""}, // waits for another apt on this shared machine
		{[]string{"python3", "-c", "import json, sqlite3, subprocess, tempfile\n" +
			"db = sqlite3.connect(tempfile.mktemp())\ndb.execute('create table t(x)')\n" +
			"print(json.dumps(subprocess.run(['uname', '-r'], capture_output=True, text=True).stdout))"}, ""},
		{[]string{"gcc", "-O2", "-o", filepath.Join(dir, "hello"), src}, ""},
		{[]string{filepath.Join(dir, "hello")}, ""},
	} {
		cmd := exec.Command(w.argv[0], w.argv[1:]...)
		cmd.Dir, cmd.Env, cmd.Stdin = dir, env, strings.NewReader(w.stdin)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %v\n%s", w.argv, err, out)
		}
	}
	containers := map[string]bool{}
	for _, args := range [][]string{{"true"}, {"sh", "-c", "echo hello; ls / >/dev/null"}} {
		id := strings.TrimSpace(d.MustDocker(t, append([]string{"run", "-d", "--network", "none", img}, args...)...))
		containers[id] = true
		d.MustDocker(t, "wait", id)
	}
	// sentinel: the pipeline must see this, after everything above
	adPid, _ := runTriggerPid(t, "anti_debug")
	mustFind(t, p, "the sentinel anti_debug trigger", bySigPid("TRC-2", adPid))
	time.Sleep(time.Second) // events of other CPUs may trail the sentinel's
	p.Stop()

	self := os.Getpid()
	mine := func(f Finding) bool {
		if containers[f.Event.ContainerID] || f.Event.HostProcessID == self {
			return true
		}
		for _, a := range f.Event.Ancestry {
			if a.HostProcessID == self {
				return true
			}
		}
		return false
	}
	// TRC-1..7 (and their Rego twins) are judged by TestBenignWorkloadHasNoFindings
	// and hardened under their own issue; here they are only logged
	seven := regexp.MustCompile(`^TRC-[1-7](-REGO)?$`)
	for _, f := range p.Findings() {
		if f.Event.HostProcessID == adPid || !mine(f) {
			continue
		}
		if seven.MatchString(f.SignatureMetadata.ID) {
			t.Logf("not judged here: %s on %s by %q pid %d: %v", f.SignatureMetadata.ID, f.Event.EventName, f.Event.ProcessName, f.Event.HostProcessID, f.Data)
			continue
		}
		t.Errorf("false positive %s (%s) on %s by %q pid %d container %.12s: %v", f.SignatureMetadata.ID,
			f.SignatureMetadata.Name, f.Event.EventName, f.Event.ProcessName, f.Event.HostProcessID, f.Event.ContainerID, f.Data)
	}
}
