package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// execEvent is the part of a JSON event these tests look at.
type execEvent struct {
	EventName    string `json:"eventName"`
	ProcessName  string `json:"processName"`
	ContextFlags struct {
		Truncated bool `json:"truncated"`
	} `json:"contextFlags"`
	Args []EbpfArg `json:"args"`
}

func (e execEvent) str(name string) string {
	for _, a := range e.Args {
		if a.Name == name {
			var s string
			json.Unmarshal(a.Value, &s)
			return s
		}
	}
	return ""
}

func (e execEvent) strs(name string) []string {
	for _, a := range e.Args {
		if a.Name == name {
			var v []string
			json.Unmarshal(a.Value, &v)
			return v
		}
	}
	return nil
}

// jsonEvents are the events named event of processes named comm in a JSON
// stream.
func jsonEvents(out, event, comm string) []execEvent {
	var evs []execEvent
	for _, line := range strings.Split(out, "\n") {
		var e execEvent
		if json.Unmarshal([]byte(line), &e) == nil && e.EventName == event && e.ProcessName == comm {
			evs = append(evs, e)
		}
	}
	return evs
}

func execEvents(out, comm string) []execEvent { return jsonEvents(out, "sched_process_exec", comm) }

// deepDir makes and returns base/P01/.../P70 (P: prefix): deeper than the
// path walk's 64 components.
func deepDir(t *testing.T, base, prefix string) string {
	t.Helper()
	deep := base
	for i := 1; i <= 70; i++ {
		deep = filepath.Join(deep, fmt.Sprintf("%s%02d", prefix, i))
	}
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	return deep
}

// A binary run from 70 directories deep (past the walk's 64 components)
// and an exec with 100 000 arguments (past the argv limit) are reported
// with what fits, flagged `truncated`, and counted in the summary; the
// path shows where it was cut ("…/" instead of its head, never a
// plausible absolute path).
func TestTruncationFlaggedAndCounted(t *testing.T) {
	requirePrivileged(t)
	dir := t.TempDir()
	deep := deepDir(t, dir, "p")
	deepBin := copyProgram(t, "/bin/true", deep, "sshd")
	manyBin := copyProgram(t, "/bin/true", dir, "manyargs")

	tr := StartJSON(t, "event=sched_process_exec", "comm=sshd,manyargs")
	if out, err := exec.Command(deepBin).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v %s", deepBin, err, out)
	}
	args := make([]string, 100000)
	for i := range args {
		args[i] = "a"
	}
	if out, err := exec.Command(manyBin, args...).CombinedOutput(); err != nil {
		t.Fatalf("manyargs: %v %s", err, out)
	}
	tr.MustEvent("the deep exec", func(e EbpfEvent) bool { return e.EventName == "sched_process_exec" && e.ProcessName == "sshd" })
	tr.MustEvent("the 100 000-argument exec", func(e EbpfEvent) bool {
		return e.EventName == "sched_process_exec" && e.ProcessName == "manyargs"
	})
	if code := tr.Stop(syscall.SIGINT); code != 0 {
		t.Errorf("exit code %d\n%s", code, tr.Diagnostics())
	}

	for _, e := range execEvents(tr.Stdout(), "sshd") {
		p := e.str("pathname")
		t.Logf("deep exec: pathname %q, truncated %v", p, e.ContextFlags.Truncated)
		if !strings.HasPrefix(p, "…/") || !strings.HasSuffix(p, "/p70/sshd") || !e.ContextFlags.Truncated {
			t.Errorf("deep exec: pathname %q, truncated %v; want \"…/...\" ending in /p70/sshd, flagged", p, e.ContextFlags.Truncated)
		}
		if strings.Contains(p, dir) {
			t.Errorf("deep exec: pathname %q keeps its head: nothing was cut?", p)
		}
	}
	many := execEvents(tr.Stdout(), "manyargs")
	for _, e := range many {
		argv := e.strs("argv")
		t.Logf("100 000-argument exec: %d argv entries kept, truncated %v", len(argv), e.ContextFlags.Truncated)
		// 100 001 entries of 2 bytes: past the default 128 KiB
		if !e.ContextFlags.Truncated || len(argv) >= 100001 || len(argv) < 60000 {
			t.Errorf("100 000-argument exec: %d argv entries, truncated %v; want the first 128 KiB (about 65 000), flagged", len(argv), e.ContextFlags.Truncated)
		}
	}
	if len(many) == 0 || len(execEvents(tr.Stdout(), "sshd")) == 0 {
		t.Fatalf("events missing\n%s", tr.Diagnostics())
	}
	m := regexp.MustCompile(`Truncated:(\d+)`).FindStringSubmatch(tr.Stderr())
	if m == nil {
		t.Fatalf("no Truncated count in the summary:\n%s", tr.Stderr())
	}
	t.Logf("summary: Truncated:%s", m[1])
	if n, _ := strconv.Atoi(m[1]); n < 2 {
		t.Errorf("summary counts %d truncated events, want at least 2 (the deep path and the long argv)\n%s", n, tr.Stderr())
	}
}

// argv is kept whole up to --exec-args-max-kib: 100 000 arguments (about
// 200 KB) fit in 256 KiB, unflagged; 20 000 fit in the default 128 KiB.
func TestExecArgsKeptWhole(t *testing.T) {
	requirePrivileged(t)
	dir := t.TempDir()
	bin := copyProgram(t, "/bin/true", dir, "wholeargs")
	for _, c := range []struct {
		kib, n int
	}{{0, 20000}, {256, 100000}} {
		args := []string{"--output", "format:json", "--trace", "event=sched_process_exec", "--trace", "comm=wholeargs"}
		if c.kib > 0 {
			args = append(args, "--exec-args-max-kib", strconv.Itoa(c.kib))
		}
		tr := StartTracer(t, args...)
		argv := make([]string, c.n)
		for i := range argv {
			argv[i] = strconv.Itoa(i % 10)
		}
		argv[c.n-1] = "last"
		if out, err := exec.Command(bin, argv...).CombinedOutput(); err != nil {
			t.Fatalf("wholeargs: %v %s", err, out)
		}
		tr.MustEvent("the exec", func(e EbpfEvent) bool { return e.EventName == "sched_process_exec" && e.ProcessName == "wholeargs" })
		tr.Stop(syscall.SIGINT)
		evs := execEvents(tr.Stdout(), "wholeargs")
		if len(evs) == 0 {
			t.Fatalf("no event\n%s", tr.Diagnostics())
		}
		got := evs[0].strs("argv")
		t.Logf("%d arguments, limit %d KiB: %d argv entries, truncated %v", c.n, c.kib, len(got), evs[0].ContextFlags.Truncated)
		if len(got) != c.n+1 || got[c.n] != "last" || evs[0].ContextFlags.Truncated {
			t.Errorf("%d arguments with a %d KiB limit: %d entries (last %q), truncated %v; want all %d, unflagged",
				c.n, c.kib, len(got), got[len(got)-1], evs[0].ContextFlags.Truncated, c.n+1)
		}
	}
}

// A name joined to a deep directory (security_inode_link from ln run 70
// directories deep) keeps its tail, starts with "…/" and is flagged.
func TestLinkPathCutFlagged(t *testing.T) {
	requirePrivileged(t)
	deep := deepDir(t, t.TempDir(), "q")
	if err := os.WriteFile(filepath.Join(deep, "target"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tr := StartJSON(t, "event=security_inode_link", "comm=ln")
	cmd := exec.Command("ln", "target", "hardlink")
	cmd.Dir = deep
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ln: %v %s", err, out)
	}
	tr.MustEvent("the link", func(e EbpfEvent) bool { return e.EventName == "security_inode_link" && e.ProcessName == "ln" })
	tr.Stop(syscall.SIGINT)
	links := jsonEvents(tr.Stdout(), "security_inode_link", "ln")
	for _, e := range links {
		p := e.str("new_path")
		t.Logf("link: new_path %q, truncated %v", p, e.ContextFlags.Truncated)
		if !strings.HasPrefix(p, "…/") || !strings.HasSuffix(p, "/q70/hardlink") || !e.ContextFlags.Truncated {
			t.Errorf("new_path %q, truncated %v; want \"…/...\" ending in /q70/hardlink, flagged", p, e.ContextFlags.Truncated)
		}
	}
	if len(links) == 0 {
		t.Fatalf("no security_inode_link event\n%s", tr.Diagnostics())
	}
}

// A library mapped executable from 70 directories deep (the loader maps
// libc found through LD_LIBRARY_PATH): security_mmap_file's pathname keeps
// its tail, starts with "…/" and the event is flagged truncated.
func TestMmapPathCutFlagged(t *testing.T) {
	requirePrivileged(t)
	var libc string
	for _, p := range []string{"/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6", "/lib64/libc.so.6"} {
		if _, err := os.Stat(p); err == nil {
			libc = p
			break
		}
	}
	if libc == "" {
		t.Fatal("no x86_64 libc.so.6 to map")
	}
	dir := t.TempDir()
	deep := deepDir(t, dir, "r")
	copyProgram(t, libc, deep, "libc.so.6")
	bin := copyProgram(t, "/bin/true", dir, "deeplibc")
	tr := StartJSON(t, "event=security_mmap_file", "comm=deeplibc")
	cmd := exec.Command(bin)
	cmd.Env = []string{"LD_LIBRARY_PATH=" + deep}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("deeplibc: %v %s", err, out)
	}
	tr.MustEvent("the deep library's mapping", func(e EbpfEvent) bool {
		return e.EventName == "security_mmap_file" && e.ProcessName == "deeplibc"
	})
	tr.Stop(syscall.SIGINT)
	var deepMaps int
	for _, e := range jsonEvents(tr.Stdout(), "security_mmap_file", "deeplibc") {
		p := e.str("pathname")
		if !strings.HasSuffix(p, "/r70/libc.so.6") {
			continue
		}
		deepMaps++
		t.Logf("mapping: pathname %q, truncated %v", p, e.ContextFlags.Truncated)
		if !strings.HasPrefix(p, "…/") || !e.ContextFlags.Truncated {
			t.Errorf("pathname %q, truncated %v; want \"…/...\" ending in /r70/libc.so.6, flagged", p, e.ContextFlags.Truncated)
		}
	}
	if deepMaps == 0 {
		t.Fatalf("no security_mmap_file of the deep libc\n%s", tr.Diagnostics())
	}
}
