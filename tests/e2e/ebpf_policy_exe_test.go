package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// writeFile writes a test file (0644) and returns its path.
func writeFile(t *testing.T, path, data string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// A policy scoped with executable= (named through a symlink) passes the
// processes running that file, through any link, and no other: not a byte
// identical copy under the same name elsewhere, not the original it was
// copied from. Its events name the policy in matchedPolicies.
func TestEbpfPolicyExecutable(t *testing.T) {
	dir := sharedDir(t)
	exe := copyProgram(t, "/bin/cat", dir, "catexe1")
	hard := filepath.Join(dir, "catexe1-hard")
	if err := os.Link(exe, hard); err != nil {
		t.Fatal(err)
	}
	sym := filepath.Join(dir, "catexe1-sym")
	if err := os.Symlink(exe, sym); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "other"), 0o755); err != nil {
		t.Fatal(err)
	}
	twin := copyProgram(t, "/bin/cat", filepath.Join(dir, "other"), "catexe1") // same name and bytes, another file
	pol := writeFile(t, filepath.Join(dir, "exe.yaml"), `apiVersion: tracee.aquasec.com/v1beta1
kind: Policy
metadata:
  name: cat-copy
spec:
  scope:
    - binary=`+sym+`
  rules:
    - event: openat
      filters: [data.pathname=/etc/hostname]
`)
	tr := StartTracer(t, "--output", "format:json", "--policy", pol)
	ctl := []int{runWorkload(t, twin, "/etc/hostname"), runWorkload(t, "/bin/cat", "/etc/hostname")}
	var pids []int
	for _, p := range []string{exe, hard, sym} {
		pids = append(pids, runWorkload(t, p, "/etc/hostname"))
	}
	tr.MustEvent("the symlink's cat opening /etc/hostname", openedBy(pids[2], "/etc/hostname"))
	evs := tr.StopEvents()
	for i, pid := range pids {
		if len(filterEvents(evs, openedBy(pid, "/etc/hostname"))) != 1 {
			t.Errorf("run %d (pid %d): want one openat of /etc/hostname:\n%s", i, pid, describeEvents(evs))
		}
	}
	for _, pid := range ctl {
		mustNone(t, evs, "a control (another file)", byPid(pid))
	}
	mustAll(t, evs, "of the policy's processes, naming it", func(e EbpfEvent) bool {
		return slices.Contains(pids, e.HostProcessID) && slices.Equal(e.MatchedPolicies, []string{"cat-copy"})
	})
}

// A policy whose executable does not exist is refused at start, naming the
// policy file, the line and the field.
func TestEbpfPolicyExecutableMissing(t *testing.T) {
	requirePrivileged(t)
	dir := t.TempDir()
	pol := writeFile(t, filepath.Join(dir, "missing.yaml"), `apiVersion: tracee.aquasec.com/v1beta1
kind: Policy
metadata: {name: missing}
spec:
  scope: [global]
  rules: [{event: openat}]
---
apiVersion: tracee.aquasec.com/v1beta1
kind: Policy
metadata: {name: gone}
spec:
  scope: [executable=/no/such/dir/tracee-exe]
  rules: [{event: openat}]
`)
	cmd := exec.Command(bin("tracee-ebpf"), "--install-path", t.TempDir(), "--output", "format:json", "--policy", pol)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	cmd.Start()
	if !waitTimeout(cmd, tracerTimeout) {
		t.Fatal("tracee-ebpf kept running with a missing executable")
	}
	if cmd.ProcessState.ExitCode() == 0 {
		t.Fatalf("exit 0; stderr:\n%s", stderr.String())
	}
	for _, w := range []string{pol + ":12:", "spec.scope[0]", "/no/such/dir/tracee-exe", "no such file"} {
		if !strings.Contains(stderr.String(), w) {
			t.Errorf("error lacks %q:\n%s", w, stderr.String())
		}
	}
}
