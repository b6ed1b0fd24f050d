package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tracee-go/tracee/proto/stream"
	pb "github.com/tracee-go/tracee/proto/traceepb"
)

// ptraceStream writes a protobuf stream file of n PTRACE_TRACEME events
// (n TRC-2 findings), ended in order.
func ptraceStream(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ptrace.pb")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w, err := stream.NewWriter(f, &pb.Header{ProtocolVersion: pb.ProtocolVersion_PROTOCOL_VERSION_1, Producer: "test"})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		ev := &pb.Event{Timestamp: time.Now().UnixNano() + int64(i), EventId: 101, EventName: "ptrace", Syscall: 101,
			ProcessId: int32(1000 + i), HostProcessId: int32(1000 + i), ThreadId: int32(1000 + i), HostThreadId: int32(1000 + i), ProcessName: "strace",
			Args: []*pb.Argument{{Name: "request", Type: "long", Value: &pb.Argument_Int{Int: 0}, Repr: "PTRACE_TRACEME"}}}
		if err := w.WriteEvent(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.WriteEnd(&pb.EndOfStream{Events: uint64(n), Reason: "signal"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return path
}

// runRulesWebhook runs tracee-rules on input with a webhook to r and
// returns its exit code and stderr.
func runRulesWebhook(t *testing.T, r *sidekickReceiver, install, input string, more ...string) (int, string) {
	t.Helper()
	args := append([]string{"--input-tracee", "file:" + input, "--input-tracee", "format:protobuf", "--rules", "TRC-2",
		"--webhook", r.URL(), "--install-path", install}, more...)
	cmd := exec.Command(bin("tracee-rules"), args...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if !waitTimeout(cmd, 90*time.Second) {
		t.Fatalf("tracee-rules did not exit\n%s", stderr.String())
	}
	return cmd.ProcessState.ExitCode(), stderr.String()
}

// A receiver answering 400 gets one request per finding: the refusal is
// permanent, saved at once with its status code and answer, not retried.
func TestWebhookBadRequestNotRetried(t *testing.T) {
	requirePrivileged(t)
	r := newSidekickReceiver(t, modeOK) // --webhook-format json is not a Falco alert: 400
	install := t.TempDir()
	const n = 5
	start := time.Now()
	code, stderr := runRulesWebhook(t, r, install, ptraceStream(t, n), "--webhook-format", "json")
	took := time.Since(start)
	if code != 0 {
		t.Errorf("exit %d (refused findings are saved, not lost)\n%s", code, stderr)
	}
	if inv := r.Invalid(); len(inv) != n {
		t.Errorf("receiver refused %d requests for %d findings: want exactly one each (no retry)\n%s", len(inv), n, stderr)
	}
	if took > 15*time.Second {
		t.Errorf("took %v for %d refusals", took, n)
	}
	b, err := os.ReadFile(filepath.Join(install, "spool", "webhook-rejected", "rejected.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	var l struct {
		Status   int    `json:"status"`
		Response string `json:"response"`
		Body     string `json:"body"`
	}
	if len(lines) != n || json.Unmarshal([]byte(lines[0]), &l) != nil || l.Status != 400 || l.Response == "" || l.Body == "" {
		t.Errorf("rejected file: %d lines, first %s; want %d with status 400, the answer and the payload", len(lines), lines[0], n)
	}
	if !strings.Contains(stderr, "status=400") {
		t.Errorf("log does not name the status code:\n%s", stderr)
	}
}

// The spool cap: the receiver is down and the spool may hold 16 KiB; the
// oldest findings are deleted, counted and reported, the run exits 1.
func TestWebhookSpoolCap(t *testing.T) {
	requirePrivileged(t)
	r := newSidekickReceiver(t, modeDown)
	install := t.TempDir()
	code, stderr := runRulesWebhook(t, r, install, ptraceStream(t, 2000), "--webhook-spool-max-size", "16K")
	if code != 1 || !strings.Contains(stderr, "oldest findings deleted") || !strings.Contains(stderr, "loss summary") || !strings.Contains(stderr, "deleted by the spool size limit") {
		t.Fatalf("exit %d, stderr:\n%s\nwant exit 1, evictions logged and the loss summary", code, stderr)
	}
	if c := strings.Count(stderr, "oldest findings deleted"); c > 20 {
		t.Errorf("%d eviction log lines: not rate-limited", c)
	}
	var size int64
	segs, _ := filepath.Glob(filepath.Join(install, "spool", "webhook", "*.jsonl"))
	for _, s := range segs {
		if fi, err := os.Stat(s); err == nil {
			size += fi.Size()
		}
	}
	if size == 0 || size > 16<<10 {
		t.Errorf("spool holds %d bytes in %d segments, want 1..16384", size, len(segs))
	}
}

// A full disk (a 64 KiB tmpfs as install path): the findings that cannot be
// spooled are counted and logged a few times (not once each), no empty
// segment is left, the loss summary is printed and the exit status is 1.
func TestWebhookDiskFull(t *testing.T) {
	requirePrivileged(t)
	install := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64k", "tracee-test-full", install).CombinedOutput(); err != nil {
		t.Fatalf("mount tmpfs: %v %s", err, out)
	}
	defer func() {
		if out, err := exec.Command("umount", install).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", install, err, out)
		}
	}()
	r := newSidekickReceiver(t, modeDown)
	code, stderr := runRulesWebhook(t, r, install, ptraceStream(t, 3000))
	if code != 1 || !strings.Contains(stderr, "loss summary") || !strings.Contains(stderr, "could not be spooled") {
		t.Fatalf("exit %d, stderr:\n%.4000s\nwant exit 1 and the loss summary", code, stderr)
	}
	if c := strings.Count(stderr, "FINDING LOST"); c == 0 || c > 20 {
		t.Errorf("%d FINDING LOST lines: want a few (rate-limited)", c)
	}
	segs, _ := filepath.Glob(filepath.Join(install, "spool", "webhook", "*.jsonl"))
	for _, s := range segs {
		if fi, err := os.Stat(s); err == nil && fi.Size() == 0 {
			t.Errorf("empty segment %s", s)
		}
	}
	if len(segs) > 20 {
		t.Errorf("%d segment files on a 64 KiB disk", len(segs))
	}
}
