package input

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/tracee-go/tracee/proto/stream"
	pb "github.com/tracee-go/tracee/proto/traceepb"
)

var update = flag.Bool("update", false, "rewrite golden files")

// collect runs an Input for cfg and returns the events, the log lines and
// Run's error.
func collect(t *testing.T, cfg Config) ([]*pb.Event, []string, *Input, error) {
	t.Helper()
	var mu sync.Mutex
	var logs []string
	cfg.Logf = func(format string, args ...any) {
		mu.Lock()
		logs = append(logs, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	in := New(cfg)
	var evs []*pb.Event
	err := in.Run(context.Background(), func(ev *pb.Event) { evs = append(evs, ev) })
	return evs, logs, in, err
}

func hasLog(logs []string, parts ...string) bool {
	for _, l := range logs {
		all := true
		for _, p := range parts {
			if !strings.Contains(l, p) {
				all = false
				break
			}
		}
		if all {
			return true
		}
	}
	return false
}

// canonical renders events deterministically (protojson randomises spacing).
func canonical(t *testing.T, evs []*pb.Event) []byte {
	t.Helper()
	var out bytes.Buffer
	for _, ev := range evs {
		b, err := protojson.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Compact(&out, b); err != nil {
			t.Fatal(err)
		}
		out.WriteByte('\n')
	}
	return out.Bytes()
}

func TestJSONGolden(t *testing.T) {
	evs, logs, in, err := collect(t, Config{Format: FormatJSON, File: "testdata/tracee.jsonl"})
	if err != nil {
		t.Fatal(err)
	}
	got := canonical(t, evs)
	golden := "testdata/tracee.golden"
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("decoded events differ from %s (run with -update to accept):\n%s", golden, got)
	}
	st := in.Stats().Snapshot()
	if st.Events != 6 || st.DecodeErrors != 4 || st.UnknownEvents != 1 {
		t.Errorf("stats %+v: want 6 events, 4 decode errors, 1 unknown", st)
	}
	for _, want := range [][]string{
		{"line 5", "byte offset", "skipped"},
		{"line 7", "1.5"},
		{"line 9", "no eventName"},
		{"line 11", "unexpected EOF"},
		{"unknown event", "brand_new_event"},
	} {
		if !hasLog(logs, want...) {
			t.Errorf("no log line with %q in:\n%s", want, strings.Join(logs, "\n"))
		}
	}
	// The proto's own sockaddr field names are accepted too.
	if sa := evs[5].Args[1].GetSockaddr(); evs[5].EventName != "connect" || sa.GetFamily() != "AF_INET6" || sa.GetIp() != "fd00::7" || sa.GetPort() != 443 {
		t.Errorf("event 6 = %v", evs[5])
	}
}

func TestJSONLineOffsets(t *testing.T) {
	data := "{\"eventName\":\"close\"}\n{bad\n"
	_, logs, _, err := collect(t, Config{Format: FormatJSON, Stdin: strings.NewReader(data)})
	if err != nil {
		t.Fatal(err)
	}
	if !hasLog(logs, "line 2 (byte offset 22)") {
		t.Errorf("logs %q: want line 2 at byte offset 22", logs)
	}
}

func TestJSONLongLine(t *testing.T) {
	long := `{"eventName":"close","processName":"` + strings.Repeat("a", 200_000) + `"}`
	data := long + "\n" + `{"eventName":"close","processName":"ok"}` + "\n"
	evs, logs, in, err := collect(t, Config{Format: FormatJSON, Stdin: strings.NewReader(data), MaxLineSize: 100_000})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].ProcessName != "ok" || in.Stats().DecodeErrors.Load() != 1 || !hasLog(logs, "line 1", "longer than 100000") {
		t.Fatalf("events %d, logs %q", len(evs), logs)
	}
	// Below the limit, a long line (longer than the read buffer) decodes.
	evs, _, _, err = collect(t, Config{Format: FormatJSON, Stdin: strings.NewReader(data)})
	if err != nil || len(evs) != 2 || len(evs[0].ProcessName) != 200_000 {
		t.Fatalf("default limit: %d events, %v", len(evs), err)
	}
}

// pbStream writes a stream: header, then the frames that add writes, then
// the end-of-stream frame.
func pbStream(t *testing.T, add func(w *stream.Writer, buf *bytes.Buffer)) []byte {
	t.Helper()
	return writeStream(t, true, add)
}

// writeStream writes a stream, with or without the end-of-stream frame.
func writeStream(t *testing.T, end bool, add func(w *stream.Writer, buf *bytes.Buffer)) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := stream.NewWriter(&buf, &pb.Header{ProtocolVersion: pb.ProtocolVersion_PROTOCOL_VERSION_1, Producer: "tracee-ebpf", ProducerVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	add(w, &buf)
	if !end {
		// the stream stops where add left it
	} else if err := w.WriteEnd(&pb.EndOfStream{Reason: "signal"}); err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func mustFlush(t *testing.T, w *stream.Writer) {
	t.Helper()
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
}

func TestProtobufStream(t *testing.T) {
	var corruptAt, truncAt int
	data := writeStream(t, false, func(w *stream.Writer, buf *bytes.Buffer) {
		w.WriteEvent(&pb.Event{EventName: "ptrace", EventId: 101})
		w.WriteLost(&pb.Lost{KernelEvents: 5, KernelEventsTotal: 5, FailedReads: 1, DroppedUserspace: 2})
		w.WriteEvent(&pb.Event{EventName: "not_known_here"})
		mustFlush(t, w)
		corruptAt = buf.Len()
		buf.Write([]byte{3, 0xff, 0xff, 0xff}) // a whole frame whose body is not a message
		w.WriteEvent(&pb.Event{EventName: "close", EventId: 3})
		w.WriteLost(&pb.Lost{KernelEvents: 1, KernelEventsTotal: 6})
		mustFlush(t, w)
		truncAt = buf.Len()
		w.WriteEvent(&pb.Event{EventName: "openat", ProcessName: "cut short"})
		mustFlush(t, w)
		buf.Truncate(buf.Len() - 3)
	})
	evs, logs, in, err := collect(t, Config{Stdin: bytes.NewReader(data)})
	if !errors.Is(err, stream.ErrTruncated) {
		t.Fatalf("Run error %v, want ErrTruncated", err)
	}
	var names []string
	for _, ev := range evs {
		names = append(names, ev.EventName)
	}
	if got := strings.Join(names, ","); got != "ptrace,not_known_here,close" {
		t.Errorf("events %s", got)
	}
	st := in.Stats().Snapshot()
	want := Snapshot{Events: 3, DecodeErrors: 2, UnknownEvents: 1, LostFrames: 2, LostKernelEvents: 6, LostFailedReads: 1, LostUserspace: 2}
	if st != want {
		t.Errorf("stats %+v, want %+v", st, want)
	}
	for _, w := range [][]string{
		{fmt.Sprintf("byte offset %d", corruptAt), "corrupt frame", "skipped"},
		{fmt.Sprintf("byte offset %d", truncAt), "truncated"},
		{"lost events: 5 in the kernel", "2 dropped in user space"},
		{"unknown event", "not_known_here"},
		{"stream from tracee-ebpf test"},
	} {
		if !hasLog(logs, w...) {
			t.Errorf("no log with %q in:\n%s", w, strings.Join(logs, "\n"))
		}
	}
}

func TestProtobufFatal(t *testing.T) {
	big := pbStream(t, func(w *stream.Writer, _ *bytes.Buffer) {
		w.WriteEvent(&pb.Event{EventName: "close"})
		w.WriteEvent(&pb.Event{EventName: "openat", ProcessName: strings.Repeat("x", 5000)})
		w.WriteEvent(&pb.Event{EventName: "close"})
	})
	var noHeader bytes.Buffer
	w, _ := stream.NewWriter(&noHeader, &pb.Header{ProtocolVersion: pb.ProtocolVersion_PROTOCOL_VERSION_1})
	mustFlush(t, w)
	noHeader.Reset() // drop the header frame, keep writing events
	w.WriteEvent(&pb.Event{EventName: "close"})
	mustFlush(t, w)
	badVersion := pbStream(t, func(*stream.Writer, *bytes.Buffer) {})
	var bv bytes.Buffer
	w2, _ := stream.NewWriter(&bv, &pb.Header{ProtocolVersion: 7})
	mustFlush(t, w2)
	_ = badVersion

	for _, tc := range []struct {
		name   string
		data   []byte
		max    int64
		want   error
		events int
	}{
		{"oversized frame", big, 1000, stream.ErrFrameTooLarge, 1},
		{"no header", noHeader.Bytes(), 0, stream.ErrNoHeader, 0},
		{"bad version", bv.Bytes(), 0, nil, 0},
		{"empty input", nil, 0, ErrEmptyStream, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			evs, _, _, err := collect(t, Config{Stdin: bytes.NewReader(tc.data), MaxFrameSize: tc.max})
			switch {
			case tc.want != nil && !errors.Is(err, tc.want):
				t.Fatalf("err %v, want %v", err, tc.want)
			case tc.name == "bad version" && (err == nil || !strings.Contains(err.Error(), "unsupported protocol version 7")):
				t.Fatalf("err %v, want unsupported version", err)
			}
			if len(evs) != tc.events {
				t.Fatalf("%d events, want %d", len(evs), tc.events)
			}
		})
	}
}

func TestFileInput(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.pb")
	data := pbStream(t, func(w *stream.Writer, _ *bytes.Buffer) {
		for i := 0; i < 1000; i++ {
			w.WriteEvent(&pb.Event{EventName: "read", Timestamp: int64(i)})
		}
	})
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	evs, _, _, err := collect(t, Config{File: path})
	if err != nil || len(evs) != 1000 || evs[999].Timestamp != 999 {
		t.Fatalf("%d events, %v", len(evs), err)
	}
	if _, _, _, err := collect(t, Config{File: filepath.Join(t.TempDir(), "missing")}); err == nil || !strings.Contains(err.Error(), "open input") {
		t.Fatalf("missing file: %v", err)
	}
}

func TestEndOfStream(t *testing.T) {
	events := func(w *stream.Writer, _ *bytes.Buffer) {
		w.WriteEvent(&pb.Event{EventName: "read"})
		w.WriteEvent(&pb.Event{EventName: "close"})
	}
	ended := pbStream(t, events)
	evs, logs, in, err := collect(t, Config{Stdin: bytes.NewReader(ended)})
	if err != nil || len(evs) != 2 || in.Stats().Snapshot().EndedStreams != 1 || !hasLog(logs, "end of stream (signal)") {
		t.Fatalf("ended stream: %d events, %v, %+v, logs %q", len(evs), err, in.Stats().Snapshot(), logs)
	}
	cut := writeStream(t, false, events)
	evs, _, in, err = collect(t, Config{Stdin: bytes.NewReader(cut)})
	if !errors.Is(err, ErrNoEndOfStream) || len(evs) != 2 || in.Stats().Snapshot().CutStreams != 1 {
		t.Fatalf("cut stream: %d events, %v, %+v", len(evs), err, in.Stats().Snapshot())
	}
	// Two streams in one file: the first was cut, the second ended.
	evs, logs, in, err = collect(t, Config{Stdin: bytes.NewReader(append(append([]byte{}, cut...), ended...))})
	if err != nil || len(evs) != 4 || in.Stats().Snapshot().CutStreams != 1 || !hasLog(logs, "WARNING", "no end-of-stream frame") {
		t.Fatalf("cut then ended: %d events, %v, %+v, logs %q", len(evs), err, in.Stats().Snapshot(), logs)
	}
}

func TestCancelWhileStdinBlocks(t *testing.T) {
	r, w := io.Pipe()
	defer w.Close()
	in := New(Config{Stdin: r, Logf: func(string, ...any) {}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx, func(*pb.Event) { t.Error("unexpected event") }) }()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run after cancel: %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}

func TestUnixReconnect(t *testing.T) {
	oldMin := minBackoff
	minBackoff = 10 * time.Millisecond
	defer func() { minBackoff = oldMin }()

	sock := filepath.Join(t.TempDir(), "tracee.sock")
	var mu sync.Mutex
	var logs []string
	got := make(chan *pb.Event, 16)
	in := New(Config{Unix: sock, Logf: func(f string, a ...any) {
		mu.Lock()
		logs = append(logs, fmt.Sprintf(f, a...))
		mu.Unlock()
	}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	// Start before the producer listens: the input retries.
	go func() { done <- in.Run(ctx, func(ev *pb.Event) { got <- ev }) }()
	time.Sleep(30 * time.Millisecond)

	// Each "producer run" listens, serves one connection (header + events), exits.
	serve := func(names ...string) {
		ln, err := net.Listen("unix", sock)
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		defer os.Remove(sock)
		conn, err := ln.Accept()
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		w, err := stream.NewWriter(conn, &pb.Header{ProtocolVersion: pb.ProtocolVersion_PROTOCOL_VERSION_1, Producer: "tracee-ebpf"})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			w.WriteEvent(&pb.Event{EventName: n})
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	recv := func(want string) {
		t.Helper()
		select {
		case ev := <-got:
			if ev.EventName != want {
				t.Fatalf("got %s, want %s", ev.EventName, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("timed out waiting for %s", want)
		}
	}
	serve("ptrace", "close")
	recv("ptrace")
	recv("close")
	serve("finit_module") // the producer restarted
	recv("finit_module")
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	if n := in.Stats().Connections.Load(); n != 2 {
		t.Errorf("connections %d, want 2", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if !hasLog(logs, "connect", "retrying") || !hasLog(logs, "reconnected") {
		t.Errorf("logs: %q", logs)
	}
}

func TestParseFlags(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want Config
		err  string
	}{
		{nil, Config{File: "stdin"}, ""},
		{[]string{"file:stdin", "format:json"}, Config{File: "stdin", Format: FormatJSON}, ""},
		{[]string{"format:protobuf", "file:/tmp/x.pb"}, Config{File: "/tmp/x.pb"}, ""},
		{[]string{"unix:/run/tracee.sock"}, Config{Unix: "/run/tracee.sock"}, ""},
		{[]string{"unix:/a", "file:/b"}, Config{}, "only one input source"},
		{[]string{"format:gob"}, Config{}, "format must be protobuf or json"},
		{[]string{"format:json", "format:json"}, Config{}, "format given twice"},
		{[]string{"stdin"}, Config{}, "want key:value"},
		{[]string{"file:"}, Config{}, "want key:value"},
		{[]string{"tcp:1.2.3.4:5"}, Config{}, `unknown key "tcp"`},
	} {
		got, err := ParseFlags(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) || !errors.Is(err, ErrBadFlag) {
				t.Errorf("ParseFlags(%q) err %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got.File != tc.want.File || got.Unix != tc.want.Unix || got.Format != tc.want.Format {
			t.Errorf("ParseFlags(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

// FuzzJSONLines feeds arbitrary bytes to the JSON line decoder: it must not
// panic, and every non-blank line is either an event or a counted error.
func FuzzJSONLines(f *testing.F) {
	seed, _ := os.ReadFile("testdata/tracee.jsonl")
	f.Add(seed)
	f.Add([]byte("{\"eventName\":\"close\"}\n\n{"))
	f.Add([]byte("\n\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		in := New(Config{Format: FormatJSON, Logf: func(string, ...any) {}, MaxLineSize: 4096})
		var n uint64
		if err := in.decodeJSON(context.Background(), bytes.NewReader(data), "fuzz", func(*pb.Event) { n++ }); err != nil {
			t.Fatal(err)
		}
		lines := uint64(0)
		for _, l := range bytes.Split(data, []byte("\n")) {
			if len(bytes.TrimSpace(l)) > 0 {
				lines++
			}
		}
		st := in.Stats().Snapshot()
		if st.Events != n || st.Events+st.DecodeErrors != lines {
			t.Fatalf("%d events + %d errors for %d non-blank lines", st.Events, st.DecodeErrors, lines)
		}
	})
}
