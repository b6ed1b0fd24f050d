package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"

	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk/traceejson"
)

// fastConfig is a Config with small delays, for tests.
func fastConfig(t *testing.T, url string) Config {
	return Config{
		URL:            url,
		Format:         FormatFalcosidekick,
		InstallPath:    t.TempDir(),
		Hostname:       "test-host",
		QueueSize:      64,
		MaxAttempts:    3,
		InitialBackoff: time.Millisecond,
		MaxBackoff:     5 * time.Millisecond,
		RequestTimeout: 2 * time.Second,
		Logger:         slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

func newSender(t *testing.T, cfg Config) *Sender {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

// idFinding is a finding whose data carries a unique id.
func idFinding(i int) sdk.Finding {
	return testFinding(i%5, map[string]any{
		"id":   strconv.Itoa(i),
		"args": map[string]any{"request": "PTRACE_TRACEME", "pid": i},
	})
}

func ids(from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, strconv.Itoa(i))
	}
	return out
}

func sendAll(t *testing.T, s *Sender, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		if err := s.Send(idFinding(i)); err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
}

func spoolFiles(t *testing.T, install string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(install, "spool", "webhook", "*"+segmentExt))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// (a) Every payload passes falcosidekick's validation, across severities
// and data shapes, and arrives in order.
func TestFalcosidekickDelivery(t *testing.T) {
	rcv := newReceiver(t, sidekickID)
	rcv.up()
	s := newSender(t, fastConfig(t, rcv.url()))
	const n = 50
	sendAll(t, s, 0, n)
	got := rcv.waitFor(n, 10*time.Second)
	if !reflect.DeepEqual(got, ids(0, n)) {
		t.Errorf("arrival order %v", got)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	st := s.Stats()
	if st.Sent != n || st.Retried != 0 || st.Spooled != 0 || st.Dropped != 0 || st.Rejected != 0 {
		t.Errorf("stats %+v", st)
	}
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if rcv.refused != 0 {
		t.Errorf("receiver refused %d payloads", rcv.refused)
	}
	for i, body := range rcv.bodies {
		p, _ := checkSidekick(body)
		want := Priority(i % 5)
		if p.Priority != want || !strings.Contains(p.Output, ": "+want+" Anti-Debugging") {
			t.Errorf("payload %d: priority %q output %q, want %s", i, p.Priority, p.Output, want)
		}
		if p.OutputFields["tracee.args.request"] != "PTRACE_TRACEME" || p.Hostname != "test-host" {
			t.Errorf("payload %d fields %v", i, p.OutputFields)
		}
		if rcv.ctypes[i] != "application/json" {
			t.Errorf("content type %q", rcv.ctypes[i])
		}
	}
}

// (b) The receiver refuses connections, then answers 500, then recovers:
// every finding arrives, in order, and the counters add up.
func TestDeliveryThroughOutage(t *testing.T) {
	for _, segSize := range []int64{DefaultSegmentSize, 700} { // one segment; one per record or two
		t.Run(fmt.Sprintf("segment size %d", segSize), func(t *testing.T) {
			testDeliveryThroughOutage(t, segSize)
		})
	}
}

func testDeliveryThroughOutage(t *testing.T, segSize int64) {
	rcv := newReceiver(t, sidekickID) // down: connection refused
	cfg := fastConfig(t, rcv.url())
	cfg.QueueSize = 8
	cfg.SegmentSize = segSize
	s := newSender(t, cfg)

	sendAll(t, s, 0, 40) // refused connections: spooled
	waitUntil(t, func() bool { return s.Stats().Spooling })

	rcv.setStatus(http.StatusInternalServerError)
	rcv.up()
	sendAll(t, s, 40, 80)
	waitUntil(t, func() bool {
		rcv.mu.Lock()
		defer rcv.mu.Unlock()
		return rcv.refused >= 5
	})

	rcv.setStatus(0)
	sendAll(t, s, 80, 120)
	got := rcv.waitFor(120, 10*time.Second)
	if !reflect.DeepEqual(distinct(got), ids(0, 120)) {
		t.Errorf("arrival order %v", distinct(got))
	}
	waitUntil(t, func() bool { return !s.Stats().Spooling })
	sendAll(t, s, 120, 130) // direct delivery again
	got = rcv.waitFor(130, 10*time.Second)
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}

	st := s.Stats()
	if len(got) != 130 {
		t.Errorf("%d deliveries of 130 findings (duplicates): %v", len(got), got)
	}
	if st.Sent != uint64(len(got)) || st.Dropped != 0 || st.Rejected != 0 || st.Queued != 0 {
		t.Errorf("stats %+v, receiver accepted %d", st, len(got))
	}
	if st.Replayed < 80 || st.Spooled < st.Replayed || st.Retried == 0 {
		t.Errorf("stats %+v: want >= 80 spooled and replayed, some retries", st)
	}
	if files := spoolFiles(t, cfg.InstallPath); len(files) != 0 {
		t.Errorf("spool not cleaned: %v", files)
	}
}

// (c) Closed while the receiver is down: the findings stay on disk, and a
// new Sender on the same install path replays them, in order, first.
func TestReplayAfterRestart(t *testing.T) {
	rcv := newReceiver(t, sidekickID)
	cfg := fastConfig(t, rcv.url())
	cfg.SegmentSize = 2 << 10 // several segments

	s1, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sendAll(t, s1, 0, 30)
	if err := s1.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := s1.Stats(); st.Spooled != 30 || st.Sent != 0 || st.Dropped != 0 {
		t.Fatalf("first run stats %+v", st)
	}
	if files := spoolFiles(t, cfg.InstallPath); len(files) < 2 {
		t.Fatalf("want several spool segments, got %v", files)
	}
	if err := s1.Send(idFinding(99)); err != ErrClosed {
		t.Errorf("Send after Close = %v, want ErrClosed", err)
	}

	rcv.up()
	s2 := newSender(t, cfg)
	if !s2.Stats().Spooling {
		t.Error("second run does not start from the spool")
	}
	sendAll(t, s2, 30, 40) // queued behind the spooled ones
	got := rcv.waitFor(40, 10*time.Second)
	if !reflect.DeepEqual(got, ids(0, 40)) {
		t.Errorf("arrival order %v", got)
	}
	if err := s2.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := s2.Stats(); st.Replayed != 40 || st.Sent != 40 {
		t.Errorf("second run stats %+v", st)
	}
	if files := spoolFiles(t, cfg.InstallPath); len(files) != 0 {
		t.Errorf("spool not cleaned: %v", files)
	}
}

// A replay interrupted by a restart resumes after the last delivered record.
func TestReplayResumesFromCursor(t *testing.T) {
	rcv := newReceiver(t, sidekickID)
	cfg := fastConfig(t, rcv.url())
	s1, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sendAll(t, s1, 0, 20)
	_ = s1.Close(context.Background())

	// Second run: the receiver is unavailable after 5 acceptances.
	rcv.limit = 5
	rcv.up()
	s2, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rcv.waitFor(5, 5*time.Second)
	_ = s2.Close(context.Background())

	rcv.mu.Lock()
	rcv.limit = 0
	rcv.mu.Unlock()
	newSender(t, cfg)
	got := rcv.waitFor(20, 10*time.Second)
	if !reflect.DeepEqual(got, ids(0, 20)) {
		t.Errorf("arrivals %v: want each once, in order", got)
	}
}

// A full queue goes to the spool instead of blocking Send.
func TestQueueOverflowSpools(t *testing.T) {
	rcv := newReceiver(t, sidekickID)
	hold := make(chan struct{})
	rcv.hold = hold
	rcv.up()
	cfg := fastConfig(t, rcv.url())
	cfg.QueueSize = 4
	s := newSender(t, cfg)

	start := time.Now()
	sendAll(t, s, 0, 50)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Send blocked %v on a stuck receiver", d)
	}
	if st := s.Stats(); !st.Spooling || st.Spooled < 46 {
		t.Errorf("stats %+v: want the overflow spooled", st)
	}
	rcv.mu.Lock()
	rcv.hold = nil
	rcv.mu.Unlock()
	close(hold)
	got := rcv.waitFor(50, 10*time.Second)
	if !reflect.DeepEqual(distinct(got), ids(0, 50)) {
		t.Errorf("arrival order %v", got)
	}
}

// A payload refused with a 4xx is set aside and does not block the others.
func TestRefusedPayloadIsSetAside(t *testing.T) {
	rcv := newReceiver(t, func(b []byte) (string, error) {
		id, err := sidekickID(b)
		if id == "3" {
			return "", fmt.Errorf("poison")
		}
		return id, err
	})
	rcv.up()
	cfg := fastConfig(t, rcv.url())
	s := newSender(t, cfg)
	sendAll(t, s, 0, 6)
	got := rcv.waitFor(5, 5*time.Second)
	if want := []string{"0", "1", "2", "4", "5"}; !reflect.DeepEqual(got, want) {
		t.Errorf("arrivals %v, want %v", got, want)
	}
	_ = s.Close(context.Background())
	// refused at the first 400: not retried
	if st := s.Stats(); st.Rejected != 1 || st.Retried != 0 || st.Dropped != 0 {
		t.Errorf("stats %+v", st)
	}
	b, err := os.ReadFile(filepath.Join(cfg.InstallPath, "spool", "webhook-rejected", "rejected.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := decodeLine(b)
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := sidekickID(r.body); id != "3" {
		t.Errorf("rejected file holds %s", b)
	}
}

// Close with an expired context spools what the receiver did not take.
func TestCloseDeadlineSpools(t *testing.T) {
	rcv := newReceiver(t, sidekickID)
	hold := make(chan struct{})
	defer close(hold)
	rcv.hold = hold
	rcv.up()
	cfg := fastConfig(t, rcv.url())
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sendAll(t, s, 0, 10)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.Spooled != 10 || st.Queued != 0 {
		t.Errorf("stats %+v", st)
	}
}

// Unreadable records are skipped and counted; the others are replayed.
func TestCorruptSpoolRecords(t *testing.T) {
	rcv := newReceiver(t, sidekickID)
	rcv.up()
	cfg := fastConfig(t, rcv.url())
	dir := filepath.Join(cfg.InstallPath, "spool", "webhook")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	var seg1, seg2 []byte
	for i := 0; i < 3; i++ {
		body, _ := json.Marshal(NewFalcoPayload(idFinding(i), "h", time.Now))
		line, _ := encodeLine(record{ct: "application/json", body: body})
		seg1 = append(seg1, line...)
		if i == 0 {
			seg1 = append(seg1, "not json\n"...)
		}
	}
	seg1 = append(seg1, `{"ct":"application/json","bo`...) // torn tail
	body, _ := json.Marshal(NewFalcoPayload(idFinding(3), "h", time.Now))
	seg2, _ = encodeLine(record{ct: "application/json", body: body})
	_ = os.WriteFile(filepath.Join(dir, segmentName(7)), seg1, 0o600)
	_ = os.WriteFile(filepath.Join(dir, segmentName(8)), seg2, 0o600)

	s := newSender(t, cfg)
	got := rcv.waitFor(4, 5*time.Second)
	if !reflect.DeepEqual(got, ids(0, 4)) {
		t.Errorf("arrivals %v", got)
	}
	waitUntil(t, func() bool { return !s.Stats().Spooling })
	if st := s.Stats(); st.Dropped != 2 || st.Replayed != 4 {
		t.Errorf("stats %+v: want 2 dropped (garbage line, torn tail), 4 replayed", st)
	}
}

func FuzzSpoolLine(f *testing.F) {
	f.Add("application/json", []byte(`{"a":1}`))
	f.Add("text/plain", []byte{0xff, '\n', 0})
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		line, err := encodeLine(record{ct: ct, body: body})
		if err != nil {
			t.Fatal(err)
		}
		if strings.IndexByte(string(line), '\n') != len(line)-1 {
			t.Fatalf("line %q is not one line", line)
		}
		r, err := decodeLine(line)
		if err != nil {
			t.Fatal(err)
		}
		if string(r.body) != string(body) {
			t.Errorf("body %q came back as %q", body, r.body)
		}
		// Decoding arbitrary bytes must not panic.
		_, _ = decodeLine(body)
	})
}

// The spool keeps payloads byte for byte, whatever they are.
func TestSpoolLineRoundTrip(t *testing.T) {
	for _, body := range [][]byte{[]byte(`{"a":"b\n"}`), []byte("line1\nline2"), {0xff, 0x00, '\n'}, {}} {
		line, err := encodeLine(record{ct: "text/plain", body: body})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Count(string(line), "\n") != 1 || line[len(line)-1] != '\n' {
			t.Errorf("line %q is not one line", line)
		}
		r, err := decodeLine(line)
		if err != nil || r.ct != "text/plain" || string(r.body) != string(body) {
			t.Errorf("round trip of %q: %q %q %v", body, r.ct, r.body, err)
		}
	}
}

func TestTemplateWebhook(t *testing.T) {
	tmpl := filepath.Join(t.TempDir(), "slack.tmpl")
	src := `{"text": {{ toJSON (printf "%s (%s) on %s" .SigMetadata.Name (priority .SigMetadata.Severity) hostname) }},` +
		` "id": {{ toJSON .Data.id }}, "at": {{ toJSON (rfc3339 (eventTime .)) }}, "fields": {{ toJSON (flatten "d" .Data) }}}`
	if err := os.WriteFile(tmpl, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	type msg struct {
		Text   string         `json:"text"`
		ID     string         `json:"id"`
		At     string         `json:"at"`
		Fields map[string]any `json:"fields"`
	}
	rcv := newReceiver(t, func(b []byte) (string, error) {
		var m msg
		if err := json.Unmarshal(b, &m); err != nil {
			return "", err
		}
		return m.ID, nil
	})
	rcv.up()
	cfg := fastConfig(t, rcv.url())
	cfg.Format = ""
	cfg.TemplatePath = tmpl
	cfg.ContentType = "application/vnd.test+json"
	s := newSender(t, cfg)
	sendAll(t, s, 0, 2)
	rcv.waitFor(2, 5*time.Second)

	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	var m msg
	if err := json.Unmarshal(rcv.bodies[1], &m); err != nil {
		t.Fatal(err)
	}
	want := msg{
		Text: `Anti-Debugging (Notice) on test-host`, ID: "1", At: "2024-03-05T07:08:09.000012000Z",
		Fields: map[string]any{"d.id": "1", "d.args.request": "PTRACE_TRACEME", "d.args.pid": 1.0},
	}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("got %+v\nwant %+v", m, want)
	}
	if rcv.ctypes[1] != "application/vnd.test+json" {
		t.Errorf("content type %q", rcv.ctypes[1])
	}
}

func TestJSONWebhook(t *testing.T) {
	rcv := newReceiver(t, func(b []byte) (string, error) {
		var f traceejson.Finding
		if err := json.Unmarshal(b, &f); err != nil {
			return "", err
		}
		return fmt.Sprint(f.Data["id"]), nil
	})
	rcv.up()
	cfg := fastConfig(t, rcv.url())
	cfg.Format = FormatJSON
	s := newSender(t, cfg)
	sendAll(t, s, 0, 3)
	if got := rcv.waitFor(3, 5*time.Second); !reflect.DeepEqual(got, ids(0, 3)) {
		t.Errorf("arrivals %v", got)
	}
}

func TestConfigErrors(t *testing.T) {
	tmpl := filepath.Join(t.TempDir(), "t.tmpl")
	_ = os.WriteFile(tmpl, []byte("{{ .Nope "), 0o600)
	notDir := filepath.Join(t.TempDir(), "file")
	_ = os.WriteFile(notDir, nil, 0o600)
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no url", Config{}, "URL is empty"},
		{"bad scheme", Config{URL: "ftp://x"}, "scheme"},
		{"unknown format", Config{URL: "http://x", Format: "xml"}, "unknown webhook format"},
		{"template without file", Config{URL: "http://x", Format: FormatTemplate}, "needs a template file"},
		{"template with other format", Config{URL: "http://x", Format: FormatJSON, TemplatePath: tmpl}, "given with format"},
		{"bad template", Config{URL: "http://x", TemplatePath: tmpl}, "parse webhook template"},
		{"missing template", Config{URL: "http://x", TemplatePath: tmpl + ".no"}, "read webhook template"},
		{"spool not writable", Config{URL: "http://x", InstallPath: notDir}, "webhook spool"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New = %v, want error containing %q", err, tt.want)
			}
		})
	}
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 10s")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestAddFlags(t *testing.T) {
	var c Config
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	c.AddFlags(fs)
	err := fs.Parse([]string{"--webhook", "http://127.0.0.1:2801", "--webhook-format", "falcosidekick",
		"--webhook-template", "x.tmpl", "--webhook-content-type", "text/plain"})
	if err != nil {
		t.Fatal(err)
	}
	want := Config{URL: "http://127.0.0.1:2801", Format: FormatFalcosidekick, TemplatePath: "x.tmpl", ContentType: "text/plain"}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("got %+v", c)
	}
}
