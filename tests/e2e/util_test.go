package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
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

// outStr returns the word a trigger printed as key=<word>.
func outStr(t *testing.T, out, key string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)\b` + regexp.QuoteMeta(key) + `=(\S+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("trigger output has no %s=<word>:\n%s", key, out)
	}
	return m[1]
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
		if len(fields) == 0 { // the unavailable detections follow
			break
		}
		if i == 0 { // header
			continue
		}
		ids = append(ids, fields[0])
	}
	return ids
}

// ---- tracee-ebpf on its own (the ebpf_*_test.go files) ----

// EbpfEvent is one line of tracee-ebpf's JSON output, decoded by the test
// with its own struct (not the project's decoder), Tracee's field names.
type EbpfEvent struct {
	Timestamp           int64  `json:"timestamp"`
	ProcessID           int    `json:"processId"`
	ThreadID            int    `json:"threadId"`
	ParentProcessID     int    `json:"parentProcessId"`
	HostProcessID       int    `json:"hostProcessId"`
	HostParentProcessID int    `json:"hostParentProcessId"`
	UserID              int    `json:"userId"`
	MountNamespace      uint64 `json:"mountNamespace"`
	PidNamespace        uint64 `json:"pidNamespace"`
	CgroupID            uint64 `json:"cgroupId"`
	ProcessName         string `json:"processName"`
	HostName            string `json:"hostName"`
	ContainerID         string `json:"containerId"`
	EventID             string `json:"eventId"`
	EventName           string `json:"eventName"`
	ArgsNum             int    `json:"argsNum"`
	ReturnValue         int64  `json:"returnValue"`
	ContextFlags        struct {
		IsCompat bool `json:"isCompat"`
		IoUring  bool `json:"ioUring"`
	} `json:"contextFlags"`
	Args            []EbpfArg      `json:"args"`
	MatchedPolicies []string       `json:"matchedPolicies"`
	Ancestry        []EbpfAncestor `json:"ancestry"`
	Container       struct {
		ID, Name, Image, ImageDigest string
	} `json:"container"`
	Kubernetes struct {
		PodName, PodNamespace string
		PodUID                string `json:"podUID"`
	} `json:"kubernetes"`
}

// EbpfArg is one argument of an EbpfEvent.
type EbpfArg struct {
	Name  string          `json:"name"`
	Type  string          `json:"type"`
	Value json.RawMessage `json:"value"`
}

// EbpfAncestor is one entry of an event's ancestry.
type EbpfAncestor struct {
	HostProcessID int    `json:"hostProcessId"`
	ProcessID     int    `json:"processId"`
	ProcessName   string `json:"processName"`
}

// Arg returns the raw JSON value of argument name.
func (e EbpfEvent) Arg(name string) (json.RawMessage, bool) {
	for _, a := range e.Args {
		if a.Name == name {
			return a.Value, true
		}
	}
	return nil, false
}

// Str is a string argument ("" when missing or not a string).
func (e EbpfEvent) Str(name string) string {
	raw, _ := e.Arg(name)
	var s string
	json.Unmarshal(raw, &s)
	return s
}

// Int is a numeric argument (also accepts a number in a string).
func (e EbpfEvent) Int(name string) (int64, bool) {
	raw, ok := e.Arg(name)
	if !ok {
		return 0, false
	}
	var n int64
	if err := json.Unmarshal(raw, &n); err == nil {
		return n, true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil
	}
	return 0, false
}

// Strs is a string-array argument.
func (e EbpfEvent) Strs(name string) []string {
	raw, _ := e.Arg(name)
	var v []string
	json.Unmarshal(raw, &v)
	return v
}

func (e EbpfEvent) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s(%s) pid=%d/%d ppid=%d uid=%d comm=%q mntns=%d pidns=%d cid=%.12s ret=%d",
		e.EventName, e.EventID, e.ProcessID, e.HostProcessID, e.HostParentProcessID, e.UserID,
		e.ProcessName, e.MountNamespace, e.PidNamespace, e.ContainerID, e.ReturnValue)
	for _, a := range e.Args {
		v := string(a.Value)
		if len(v) > 80 {
			v = v[:80] + "..."
		}
		fmt.Fprintf(&b, " %s=%s", a.Name, v)
	}
	return b.String()
}

// lockedBuffer is a bytes.Buffer safe for a writer goroutine and readers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Tracer is one running tracee-ebpf.
type Tracer struct {
	t       *testing.T
	cmd     *exec.Cmd
	Install string // --install-path
	stdout  lockedBuffer
	stderr  lockedBuffer
	done    chan struct{}
	waitErr error
}

// tracerTimeout bounds the start of tracee-ebpf and its exit after a signal.
const tracerTimeout = 30 * time.Second

// StartTracer runs tracee-ebpf with args (plus --install-path) and waits
// until its pid file says every probe is attached.
func StartTracer(t *testing.T, args ...string) *Tracer {
	t.Helper()
	tr := LaunchTracer(t, args...)
	tr.WaitReady()
	return tr
}

// LaunchTracer starts tracee-ebpf without waiting for it to be ready.
func LaunchTracer(t *testing.T, args ...string) *Tracer {
	t.Helper()
	requirePrivileged(t)
	tr := &Tracer{t: t, Install: t.TempDir(), done: make(chan struct{})}
	tr.cmd = exec.Command(bin("tracee-ebpf"), append([]string{"--install-path", tr.Install}, args...)...)
	tr.cmd.Stdout = &tr.stdout
	tr.cmd.Stderr = &tr.stderr
	if err := tr.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { tr.waitErr = tr.cmd.Wait(); close(tr.done) }()
	t.Cleanup(func() { tr.Stop(syscall.SIGINT) })
	return tr
}

// StartJSON runs tracee-ebpf with JSON output and one --trace per expression.
func StartJSON(t *testing.T, trace ...string) *Tracer {
	t.Helper()
	args := []string{"--output", "format:json"}
	for _, e := range trace {
		args = append(args, "--trace", e)
	}
	return StartTracer(t, args...)
}

// PidFile is where tracee-ebpf writes its pid once ready.
func (tr *Tracer) PidFile() string { return filepath.Join(tr.Install, "out", "tracee.pid") }

// Pid is the tracer's process id.
func (tr *Tracer) Pid() int { return tr.cmd.Process.Pid }

// WaitReady waits for the pid file.
func (tr *Tracer) WaitReady() {
	tr.t.Helper()
	deadline := time.After(tracerTimeout)
	for {
		if _, err := os.Stat(tr.PidFile()); err == nil {
			return
		}
		select {
		case <-tr.done:
			tr.t.Fatalf("tracee-ebpf exited before it was ready (%v)\n%s", tr.waitErr, tr.Diagnostics())
		case <-deadline:
			tr.t.Fatalf("tracee-ebpf not ready within %v (no %s)\n%s", tracerTimeout, tr.PidFile(), tr.Diagnostics())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Stop signals tracee-ebpf (once) and waits for it; it returns the exit
// code (-1 when it had to be killed). Idempotent.
func (tr *Tracer) Stop(sig syscall.Signal) int {
	select {
	case <-tr.done:
	default:
		tr.cmd.Process.Signal(sig)
		select {
		case <-tr.done:
		case <-time.After(tracerTimeout):
			tr.cmd.Process.Kill()
			<-tr.done
			tr.t.Errorf("tracee-ebpf did not exit within %v of %v", tracerTimeout, sig)
			return -1
		}
	}
	return tr.cmd.ProcessState.ExitCode()
}

// Exited reports whether the process has ended.
func (tr *Tracer) Exited() bool {
	select {
	case <-tr.done:
		return true
	default:
		return false
	}
}

// Stdout and Stderr are what the tracer wrote so far.
func (tr *Tracer) Stdout() string { return tr.stdout.String() }
func (tr *Tracer) Stderr() string { return tr.stderr.String() }

// Events decodes every complete JSON line printed so far; a line that does
// not decode fails the test.
func (tr *Tracer) Events() []EbpfEvent {
	tr.t.Helper()
	return decodeEvents(tr.t, tr.Stdout())
}

func decodeEvents(t *testing.T, out string) []EbpfEvent {
	t.Helper()
	var evs []EbpfEvent
	lines := strings.Split(out, "\n")
	for _, line := range lines[:len(lines)-1] { // the last piece is incomplete or empty
		if line == "" {
			continue
		}
		var e EbpfEvent
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("tracee-ebpf printed a line that is not a JSON event: %v\n%.500s", err, line)
		}
		evs = append(evs, e)
	}
	return evs
}

// WaitEvent polls the output until match finds an event.
func (tr *Tracer) WaitEvent(timeout time.Duration, match func(EbpfEvent) bool) (EbpfEvent, bool) {
	tr.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		for _, e := range tr.Events() {
			if match(e) {
				return e, true
			}
		}
		if time.Now().After(deadline) || tr.Exited() {
			return EbpfEvent{}, false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// MustEvent is WaitEvent that fails the test with diagnostics.
func (tr *Tracer) MustEvent(what string, match func(EbpfEvent) bool) EbpfEvent {
	tr.t.Helper()
	e, ok := tr.WaitEvent(findingTimeout, match)
	if !ok {
		tr.t.Fatalf("no event for %s within %v\n%s", what, findingTimeout, tr.Diagnostics())
	}
	return e
}

// StopEvents stops the tracer with SIGINT, checks it exited 0 and returns
// every event it printed.
func (tr *Tracer) StopEvents() []EbpfEvent {
	tr.t.Helper()
	if code := tr.Stop(syscall.SIGINT); code != 0 {
		tr.t.Errorf("tracee-ebpf exit code %d after SIGINT\n%s", code, tr.Diagnostics())
	}
	return tr.Events()
}

// Diagnostics is stderr and the tail of stdout, for failure messages.
func (tr *Tracer) Diagnostics() string {
	out := tr.Stdout()
	if len(out) > 6000 {
		out = "...\n" + out[len(out)-6000:]
	}
	return fmt.Sprintf("tracee-ebpf args: %q\nstderr:\n%s\nstdout (tail):\n%s", tr.cmd.Args[1:], tr.Stderr(), out)
}

// describeEvents is one line per event (at most 15), for failure messages.
func describeEvents(evs []EbpfEvent) string {
	var b strings.Builder
	for i, e := range evs {
		if i == 15 {
			fmt.Fprintf(&b, "  ... %d more\n", len(evs)-i)
			break
		}
		fmt.Fprintf(&b, "  %s\n", e)
	}
	return b.String()
}

// filterEvents returns the events that match.
func filterEvents(evs []EbpfEvent, match func(EbpfEvent) bool) []EbpfEvent {
	var out []EbpfEvent
	for _, e := range evs {
		if match(e) {
			out = append(out, e)
		}
	}
	return out
}

// sharedDir is a temporary directory every user can enter (t.TempDir is
// 0700), for programs run as another uid. Removed at cleanup.
func sharedDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "ebpf-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// copyProgram copies the program at src to dir/name (0755), so that the
// copy runs under a comm of the test's choosing.
func copyProgram(t *testing.T, src, dir, name string) string {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, name)
	if err := os.WriteFile(dst, data, 0o755); err != nil {
		t.Fatal(err)
	}
	return dst
}

// Gated is a child process that waits on its standard input before doing
// its work, so that a test knows its pid (and namespaces) before starting
// the tracer. The shell script given reads one line first.
type Gated struct {
	t     *testing.T
	Cmd   *exec.Cmd
	stdin io.WriteCloser
	out   lockedBuffer
	done  chan struct{}
}

// StartGated runs argv (which must read stdin before its work).
func StartGated(t *testing.T, argv ...string) *Gated {
	t.Helper()
	g := &Gated{t: t, Cmd: exec.Command(argv[0], argv[1:]...), done: make(chan struct{})}
	g.Cmd.Stdout = &g.out
	g.Cmd.Stderr = &g.out
	w, err := g.Cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	g.stdin = w
	if err := g.Cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { g.Cmd.Wait(); close(g.done) }()
	t.Cleanup(func() {
		g.stdin.Close()
		select {
		case <-g.done:
		case <-time.After(5 * time.Second):
			g.Cmd.Process.Kill()
			<-g.done
		}
	})
	return g
}

// Pid is the gated process's host pid.
func (g *Gated) Pid() int { return g.Cmd.Process.Pid }

// Output is what it printed so far.
func (g *Gated) Output() string { return g.out.String() }

// Release lets it go on and waits (bounded) for it to exit; it returns
// what it printed.
func (g *Gated) Release() string {
	g.t.Helper()
	g.stdin.Write([]byte("go\n"))
	g.stdin.Close()
	select {
	case <-g.done:
	case <-time.After(findingTimeout):
		g.Cmd.Process.Kill()
		<-g.done
		g.t.Fatalf("gated process %v did not finish within %v:\n%s", g.Cmd.Args, findingTimeout, g.out.String())
	}
	return g.out.String()
}

// nsIno is the inode of a namespace link such as /proc/PID/ns/mnt.
func nsIno(t *testing.T, path string) uint64 {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		t.Fatalf("stat %s: %v", path, err)
	}
	return st.Ino
}

// pollUntil polls cond every 20ms until it holds or timeout passes.
func pollUntil(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}
