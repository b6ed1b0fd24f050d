package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedLog collects a Sender's log lines.
type lockedLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *lockedLog) count(s string) int { return strings.Count(l.String(), s) }

func logTo(cfg *Config) *lockedLog {
	l := &lockedLog{}
	cfg.Logger = slog.New(slog.NewTextHandler(l, nil))
	return l
}

// A 400 is a permanent refusal: one request per finding, saved at once
// with the status code and the receiver's answer, never retried; the
// findings behind it are not held up.
func TestBadRequestNotRetried(t *testing.T) {
	rcv := newReceiver(t, func([]byte) (string, error) { return "", errBadField })
	rcv.up()
	cfg := fastConfig(t, rcv.url())
	cfg.InitialBackoff = time.Second // a retry would show in the time taken
	logs := logTo(&cfg)
	s := newSender(t, cfg)
	start := time.Now()
	sendAll(t, s, 0, 3)
	deadline := time.Now().Add(5 * time.Second)
	for s.Stats().Rejected < 3 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 900*time.Millisecond {
		t.Errorf("3 refusals took %v: retried?", d)
	}
	rcv.mu.Lock()
	requests := rcv.refused
	rcv.mu.Unlock()
	if st := s.Stats(); st.Rejected != 3 || st.Retried != 0 || requests != 3 || st.Dropped != 0 {
		t.Errorf("stats %+v after %d requests; want 3 rejected, 3 requests, no retry", st, requests)
	}
	b, err := os.ReadFile(filepath.Join(cfg.InstallPath, "spool", "webhook-rejected", "rejected.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) != 3 {
		t.Fatalf("rejected file has %d lines", len(lines))
	}
	var l spoolLine
	if err := json.Unmarshal([]byte(lines[0]), &l); err != nil {
		t.Fatal(err)
	}
	if l.Status != http.StatusBadRequest || !strings.Contains(l.Response, "bad field") || l.Body == "" {
		t.Errorf("rejected line %s: want status 400, the response and the payload", lines[0])
	}
	if !strings.Contains(logs.String(), "status=400") || !strings.Contains(logs.String(), "not retried") {
		t.Errorf("log lacks the status code:\n%s", logs)
	}
}

var errBadField = errString("bad field priority")

type errString string

func (e errString) Error() string { return string(e) }

// 5xx, 408 and 429 are retried with backoff until the receiver takes it.
func TestTransientStatusRetried(t *testing.T) {
	for _, code := range []int{http.StatusServiceUnavailable, http.StatusTooManyRequests, http.StatusRequestTimeout} {
		rcv := newReceiver(t, sidekickID)
		rcv.setStatus(code)
		rcv.up()
		cfg := fastConfig(t, rcv.url())
		cfg.MaxAttempts = 50
		s := newSender(t, cfg)
		sendAll(t, s, 0, 1)
		time.Sleep(50 * time.Millisecond)
		rcv.setStatus(0)
		rcv.waitFor(1, 5*time.Second)
		// the receiver may answer before the sender counts it as sent
		for deadline := time.Now().Add(5 * time.Second); s.Stats().Sent == 0 && time.Now().Before(deadline); {
			time.Sleep(5 * time.Millisecond)
		}
		if st := s.Stats(); st.Retried == 0 || st.Rejected != 0 || st.Sent != 1 {
			t.Errorf("status %d: stats %+v, want retries then delivery", code, st)
		}
	}
}

// With the receiver down, the spool stays under --webhook-spool-max-size:
// the oldest findings are deleted first, counted, logged (a few lines), and
// Close reports the loss. The newest are delivered on the next run.
func TestSpoolMaxSize(t *testing.T) {
	rcv := newReceiver(t, sidekickID) // down
	cfg := fastConfig(t, rcv.url())
	cfg.QueueSize = 1
	cfg.MaxSpoolBytes = 16 << 10
	logs := logTo(&cfg)
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	const n = 400
	sendAll(t, s, 0, n)
	err = s.Close(context.Background())
	st := s.Stats()
	t.Logf("max size: %+v", st)
	if st.Evicted == 0 || err == nil || !strings.Contains(err.Error(), "deleted by the spool size limit") {
		t.Fatalf("stats %+v, Close %v: want evictions reported", st, err)
	}
	if c := logs.count("oldest findings deleted"); c == 0 || c > 10 {
		t.Errorf("%d eviction log lines, want a few", c)
	}
	if !strings.Contains(logs.String(), "loss summary") {
		t.Errorf("no loss summary:\n%s", logs)
	}
	var size int64
	for _, f := range spoolFiles(t, cfg.InstallPath) {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() == 0 {
			t.Errorf("empty segment %s", f)
		}
		size += fi.Size()
	}
	if size > cfg.MaxSpoolBytes {
		t.Errorf("spool holds %d bytes, max %d", size, cfg.MaxSpoolBytes)
	}
	// Next run: the survivors are the newest, in order, and with the
	// evicted ones they account for every finding.
	rcv.up()
	s2 := newSender(t, cfg)
	kept := n - int(st.Evicted) - int(st.Sent)
	got := rcv.waitFor(kept, 10*time.Second)
	_ = s2.Close(context.Background())
	if len(got) != kept || got[len(got)-1] != ids(n-1, n)[0] {
		t.Errorf("replayed %d (last %v), want the newest %d", len(got), got[len(got)-1:], kept)
	}
}

// On a full disk (a 64 KiB tmpfs): findings that cannot be spooled are
// counted, logged a few times (not once each), no empty segment is left,
// and Close returns the loss.
func TestSpoolDiskFull(t *testing.T) {
	if os.Getuid() != 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("needs root (mount tmpfs)")
		}
		t.Skip("needs root (mount tmpfs)")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("mount tmpfs: %v %s", err, out)
	}
	defer exec.Command("umount", dir).Run()
	rcv := newReceiver(t, sidekickID) // down
	cfg := fastConfig(t, rcv.url())
	cfg.InstallPath = dir
	cfg.QueueSize = 1
	logs := logTo(&cfg)
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	const n = 2000
	var sendErrs int
	for i := 0; i < n; i++ {
		if s.Send(idFinding(i)) != nil {
			sendErrs++
		}
	}
	err = s.Close(context.Background())
	st := s.Stats()
	t.Logf("disk full: %+v, %d Send errors, %d loss log lines", st, sendErrs, logs.count("FINDING LOST"))
	if st.Dropped == 0 || sendErrs == 0 || err == nil || !strings.Contains(err.Error(), "could not be spooled") {
		t.Fatalf("stats %+v, %d Send errors, Close %v: want the loss counted and reported", st, sendErrs, err)
	}
	if st.Spooled+st.Dropped+st.Sent < n {
		t.Errorf("stats %+v do not account for %d findings", st, n)
	}
	if c := logs.count("FINDING LOST: cannot write webhook spool"); c == 0 || c > 20 {
		t.Errorf("%d loss log lines for %d lost findings; want a few", c, st.Dropped)
	}
	if !strings.Contains(logs.String(), "loss summary") {
		t.Errorf("no loss summary:\n%s", logs)
	}
	for _, f := range spoolFiles(t, dir) {
		if fi, err := os.Stat(f); err == nil && fi.Size() == 0 {
			t.Errorf("empty segment %s", f)
		}
	}
	if segs := spoolFiles(t, dir); len(segs) > 20 {
		t.Errorf("%d segments on a 64 KiB disk", len(segs))
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"1024": 1024, "16K": 16 << 10, "512M": 512 << 20, "1g": 1 << 30, "2GB": 2 << 30, "-1": -1} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "0", "x", "-5", "1T"} {
		if _, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) accepted", bad)
		}
	}
}
