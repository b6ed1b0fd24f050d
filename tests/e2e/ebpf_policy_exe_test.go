package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
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

// Three policies with different scopes (executable=, comm=, comm= with
// follow), each evaluated in the kernel: every event names exactly the
// policies whose scope holds for its process; a process in no policy's
// scope sends nothing. The startup lines say where each scope runs.
func TestEbpfPolicyPerPolicyScopes(t *testing.T) {
	dir := sharedDir(t)
	cata := copyProgram(t, "/bin/cat", dir, "cata")
	catb := copyProgram(t, "/bin/cat", dir, "catb")
	sh := copyProgram(t, "/bin/sh", dir, "shzz")
	target := writeFile(t, filepath.Join(dir, "target"), "x")
	pol := writeFile(t, filepath.Join(dir, "scopes.yaml"), `apiVersion: tracee.aquasec.com/v1beta1
kind: Policy
metadata: {name: a}
spec:
  scope: [executable=`+cata+`]
  rules: [{event: openat, filters: [data.pathname=`+dir+`/*]}]
---
apiVersion: tracee.aquasec.com/v1beta1
kind: Policy
metadata: {name: b}
spec:
  scope: [comm=catb]
  rules: [{event: openat, filters: [data.pathname=`+dir+`/*]}]
---
apiVersion: tracee.aquasec.com/v1beta1
kind: Policy
metadata: {name: c}
spec:
  scope: [comm=shzz, follow]
  rules: [{event: openat, filters: [data.pathname=`+dir+`/*]}]
`)
	tr := StartTracer(t, "--output", "format:json", "--policy", pol)
	ctl := runWorkload(t, "/bin/cat", target)
	pa := runWorkload(t, cata, target)
	pb := runWorkload(t, catb, target)
	out := runCmd(t, sh, "-c", catb+" "+target+" >/dev/null & echo $!; wait; "+cata+" "+target+" >/dev/null & echo $!; wait")
	var followed []int
	for _, f := range strings.Fields(out) {
		n, err := strconv.Atoi(f)
		if err != nil {
			t.Fatalf("shell output %q", out)
		}
		followed = append(followed, n)
	}
	if len(followed) != 2 {
		t.Fatalf("shell output %q", out)
	}
	tr.MustEvent("the followed cata's open", openedBy(followed[1], target))
	evs := tr.StopEvents()
	want := map[int][]string{pa: {"a"}, pb: {"b"}, followed[0]: {"b", "c"}, followed[1]: {"a", "c"}}
	for pid, names := range want {
		got := filterEvents(evs, openedBy(pid, target))
		if len(got) != 1 || !slices.Equal(got[0].MatchedPolicies, names) {
			t.Errorf("pid %d: want one open of the target matching %v:\n%s", pid, names, describeEvents(got))
		}
	}
	mustNone(t, evs, "the control /bin/cat (no policy's scope)", byPid(ctl))
	for i, name := range []string{"a", "b", "c"} {
		line := fmt.Sprintf("policy %d %q", i, name)
		if !strings.Contains(tr.Stderr(), line) || !strings.Contains(tr.Stderr(), "in the kernel (bit "+strconv.Itoa(i)) {
			t.Errorf("no startup line %s ... in the kernel (bit %d):\n%s", line, i, tr.Stderr())
		}
	}
}
