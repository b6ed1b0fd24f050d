package e2e

import (
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func runCmd(t *testing.T, argv ...string) string {
	t.Helper()
	out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %v\n%s", argv, err, out)
	}
	return string(out)
}

// findingTimeout bounds how long a test waits for one expected finding.
const findingTimeout = 10 * time.Second

// outInt returns the integer a trigger printed as key=<n>.
func outInt(t *testing.T, out, key string) int {
	t.Helper()
	m := regexp.MustCompile(`(?m)\b` + regexp.QuoteMeta(key) + `=(-?\d+)\b`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("trigger output has no %s=<n>:\n%s", key, out)
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		t.Fatalf("trigger output %s=%s: %v", key, m[1], err)
	}
	return n
}

// runTriggerPid runs a trigger and checks that the pid it printed is the
// pid the test started (triggers print pid=<pid>).
func runTriggerPid(t *testing.T, name string, args ...string) (int, string) {
	t.Helper()
	pid, out := RunTrigger(t, name, args...)
	if printed := outInt(t, out, "pid"); printed != pid {
		t.Fatalf("trigger %s printed pid=%d, started as %d", name, printed, pid)
	}
	return pid, out
}

// dataStr is a finding's data value as a string ("" when missing).
func dataStr(f Finding, key string) string {
	v, ok := f.Data[key]
	if !ok || v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

// dataInt is a finding's numeric data value (JSON numbers decode as float64).
func dataInt(f Finding, key string) (int64, bool) {
	switch v := f.Data[key].(type) {
	case float64:
		return int64(v), true
	case string:
		n, err := strconv.ParseInt(v, 10, 64)
		return n, err == nil
	}
	return 0, false
}

// mustFind waits for a finding that matches and fails the test with the
// pipeline's diagnostics when none comes.
func mustFind(t *testing.T, p *Pipeline, what string, match func(Finding) bool) Finding {
	t.Helper()
	f, ok := p.WaitFor(findingTimeout, match)
	if !ok {
		t.Fatalf("no finding for %s within %v\n%s", what, findingTimeout, p.Diagnostics())
	}
	return f
}

// findingsOf returns the findings of signature id (any when "") for host pid.
func findingsOf(p *Pipeline, id string, pid int) []Finding {
	var out []Finding
	for _, f := range p.Findings() {
		if (id == "" || f.SignatureMetadata.ID == id) && f.Event.HostProcessID == pid {
			out = append(out, f)
		}
	}
	return out
}

// describe is one line per finding, for logs and failure messages.
func describe(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "  %s %s pid=%d comm=%q data=%v\n", f.SignatureMetadata.ID, f.Event.EventName,
			f.Event.HostProcessID, f.Event.ProcessName, f.Data)
	}
	return b.String()
}

// checkCommon asserts the identity of a finding: signature, culprit pid and
// process name.
func checkCommon(t *testing.T, f Finding, id string, pid int, comm string) {
	t.Helper()
	if f.SignatureMetadata.ID != id {
		t.Errorf("signature %q, want %q", f.SignatureMetadata.ID, id)
	}
	if f.Event.HostProcessID != pid {
		t.Errorf("hostProcessId %d, want %d", f.Event.HostProcessID, pid)
	}
	if f.Event.ProcessName != comm {
		t.Errorf("processName %q, want %q", f.Event.ProcessName, comm)
	}
}

// checkCounts stops the pipeline (so that every finding is out) and asserts
// how many findings of signature id each pid got: one action is one finding,
// however many events the tracer shows it through.
func checkCounts(t *testing.T, p *Pipeline, id string, want map[int]int) {
	t.Helper()
	p.Stop()
	for pid, n := range want {
		if fs := findingsOf(p, id, pid); len(fs) != n {
			t.Errorf("pid %d: %d %s findings, want %d:\n%s", pid, len(fs), id, n, describe(fs))
		}
	}
}

// listedSignatures is the IDs tracee-rules --list prints (built-in Go
// signatures and the opt-in ones it knows).
func listedSignatures(t *testing.T) []string {
	t.Helper()
	if buildError != nil {
		t.Fatal(buildError)
	}
	out, err := exec.Command(bin("tracee-rules"), "--list").Output()
	if err != nil {
		t.Fatalf("tracee-rules --list: %v", err)
	}
	var ids []string
	for i, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		if i == 0 || len(fields) == 0 { // header
			continue
		}
		ids = append(ids, fields[0])
	}
	return ids
}
