package output

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"

	"github.com/tracee-go/tracee/proto/stream"
	"github.com/tracee-go/tracee/proto/traceejson"
	pb "github.com/tracee-go/tracee/proto/traceepb"
)

func TestParseFlags(t *testing.T) {
	tests := []struct {
		flags []string
		want  Config
	}{
		{nil, Config{Format: "table", ParseArguments: true}},
		{[]string{"format:json"}, Config{Format: "json", ParseArguments: true}},
		{[]string{"format:table-verbose", "option:exec-env"}, Config{Format: "table-verbose", ExecEnv: true, ParseArguments: true}},
		{[]string{"format:gotemplate=/t.tmpl", "out-file:/o", "err-file:/e"}, Config{Format: "gotemplate", TemplatePath: "/t.tmpl", OutFile: "/o", ErrFile: "/e", ParseArguments: true}},
		{[]string{"format:protobuf", "unix:/run/t.sock", "option:parse-arguments"}, Config{Format: "protobuf", UnixPath: "/run/t.sock", ParseArguments: true}},
	}
	for _, tc := range tests {
		got, err := ParseFlags(tc.flags)
		if err != nil || got != tc.want {
			t.Errorf("ParseFlags(%q) = %+v, %v; want %+v", tc.flags, got, err, tc.want)
		}
	}
	bad := []struct {
		flags   []string
		wantErr string
	}{
		{[]string{"json"}, `--output "json": expected format:`},
		{[]string{"format:xml"}, `unknown format "xml"`},
		{[]string{"format:gotemplate"}, "needs a template file"},
		{[]string{"format:json=x"}, "takes no argument"},
		{[]string{"format:json", "format:table"}, "only one format"},
		{[]string{"out-file:"}, "missing path"},
		{[]string{"option:color"}, `unknown option "color"`},
		{[]string{"sink:x"}, `unknown key "sink"`},
		{[]string{"out-file:/x", "err-file:/x"}, "must differ"},
	}
	for _, tc := range bad {
		_, err := ParseFlags(tc.flags)
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("ParseFlags(%q) error %v, want %q", tc.flags, err, tc.wantErr)
		}
	}
}

func testEvent() *pb.Event {
	return &pb.Event{
		Timestamp: time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.UTC).UnixNano(),
		ProcessId: 7, ThreadId: 8, ParentProcessId: 1, HostProcessId: 4242, HostThreadId: 4243, HostParentProcessId: 4000,
		UserId: 1000, MountNamespace: 4026531841, PidNamespace: 4026531836, ProcessName: "cat", HostName: "box",
		ContainerId: strings.Repeat("ab", 32), EventId: 257, EventName: "openat", ReturnValue: 3,
		Args: []*pb.Argument{
			{Name: "dirfd", Type: "int", Value: &pb.Argument_Int{Int: -100}},
			{Name: "pathname", Type: "const char*", Value: &pb.Argument_Str{Str: "/etc/passwd"}},
			{Name: "flags", Type: "int", Value: &pb.Argument_Int{Int: 0}, Repr: "O_RDONLY"},
		},
	}
}

func execEvent() *pb.Event {
	return &pb.Event{EventId: 59, EventName: "execve", Args: []*pb.Argument{
		{Name: "pathname", Type: "const char*", Value: &pb.Argument_Str{Str: "/bin/ls"}},
		{Name: "argv", Type: "const char**", Value: &pb.Argument_StrArray{StrArray: &pb.StringArray{Values: []string{"ls", "-l"}}}},
		{Name: "envp", Type: "const char**", Value: &pb.Argument_StrArray{StrArray: &pb.StringArray{Values: []string{"SECRET=1"}}}},
	}}
}

func TestTable(t *testing.T) {
	var out, errW bytes.Buffer
	p := NewTable(&out, &errW, false, time.UTC)
	if err := p.Header(&pb.Header{}); err != nil {
		t.Fatal(err)
	}
	if err := p.Print(testEvent()); err != nil {
		t.Fatal(err)
	}
	if err := p.Lost(&pb.Lost{KernelEvents: 5, KernelEventsTotal: 12}); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 lines, got %q", out.String())
	}
	if f := strings.Fields(lines[0]); strings.Join(f, " ") != "TIME UID COMM PID TID RET EVENT ARGS" {
		t.Errorf("header %q", lines[0])
	}
	wantRow := "07:08:09:123456 1000 cat 4242 4243 3 openat dirfd: -100, pathname: /etc/passwd, flags: O_RDONLY"
	if got := strings.Join(strings.Fields(lines[1]), " "); got != wantRow {
		t.Errorf("row\n got %q\nwant %q", got, wantRow)
	}
	if got := errW.String(); got != "tracee-ebpf: 5 events lost in the kernel ring buffer (12 in total)\n" {
		t.Errorf("lost line %q", got)
	}
}

func TestTableVerbose(t *testing.T) {
	var out bytes.Buffer
	p := NewTable(&out, io.Discard, true, time.UTC)
	p.Header(&pb.Header{})
	ev := testEvent()
	ev.Args = append(ev.Args, &pb.Argument{Name: "addr", Type: "struct sockaddr*", Value: &pb.Argument_Sockaddr{Sockaddr: &pb.SockAddr{Family: "AF_INET", Ip: "1.2.3.4", Port: 80}}})
	p.Print(ev)
	p.Close()
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	if f := strings.Join(strings.Fields(lines[0]), " "); f != "TIME UTS_NAME CONTAINER_ID MNT_NS PID_NS UID COMM PID TID PPID RET EVENT ARGS" {
		t.Errorf("header %q", f)
	}
	want := "07:08:09:123456 box abababababab 4026531841 4026531836 1000 cat 7/4242 8/4243 1/4000 3 openat dirfd: -100, pathname: /etc/passwd, flags: O_RDONLY, addr: map[sa_family:AF_INET sin_addr:1.2.3.4 sin_port:80]"
	if got := strings.Join(strings.Fields(lines[1]), " "); got != want {
		t.Errorf("row\n got %q\nwant %q", got, want)
	}
}

func TestJSONAndExecEnv(t *testing.T) {
	for _, execEnv := range []bool{false, true} {
		var out bytes.Buffer
		p, err := New(Config{Format: FormatJSON, ExecEnv: execEnv}, Options{Stdout: &out, Stderr: io.Discard})
		if err != nil {
			t.Fatal(err)
		}
		ev := execEvent()
		if err := p.Header(&pb.Header{}); err != nil {
			t.Fatal(err)
		}
		if err := p.Print(testEvent()); err != nil {
			t.Fatal(err)
		}
		if err := p.Print(ev); err != nil {
			t.Fatal(err)
		}
		if len(ev.Args) != 3 {
			t.Fatal("the printer changed the caller's event")
		}
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
		if len(lines) != 2 {
			t.Fatalf("want 2 lines, got %d", len(lines))
		}
		want, _ := traceejson.Marshal(testEvent())
		if lines[0] != string(want) {
			t.Errorf("json line\n got %s\nwant %s", lines[0], want)
		}
		back, err := traceejson.Unmarshal([]byte(lines[1]))
		if err != nil {
			t.Fatal(err)
		}
		hasEnv := strings.Contains(lines[1], "SECRET=1")
		if hasEnv != execEnv || (len(back.Args) == 3) != execEnv {
			t.Errorf("exec-env=%v: envp present=%v, args %d", execEnv, hasEnv, len(back.Args))
		}
	}
}

func TestGoTemplate(t *testing.T) {
	dir := t.TempDir()
	tmpl := filepath.Join(dir, "t.tmpl")
	os.WriteFile(tmpl, []byte(`{{ .EventName }} pid={{ .HostProcessID }} id={{ .EventID }}{{ range .Args }} {{ .Name }}={{ .Value }}{{ end }}
`), 0o644)
	outFile := filepath.Join(dir, "out")
	p, err := New(Config{Format: FormatGoTemplate, TemplatePath: tmpl, OutFile: outFile}, Options{Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	p.Header(&pb.Header{})
	if err := p.Print(testEvent()); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(outFile)
	if want := "openat pid=4242 id=257 dirfd=-100 pathname=/etc/passwd flags=O_RDONLY\n"; string(got) != want {
		t.Fatalf("got %q want %q", got, want)
	}
	os.WriteFile(tmpl, []byte(`{{ .Nope }`), 0o644)
	if _, err := NewTemplate(tmpl, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "gotemplate: parse") {
		t.Fatalf("bad template error %v", err)
	}
	os.WriteFile(tmpl, []byte(`{{ .Nope }}`), 0o644)
	tp, err := NewTemplate(tmpl, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if err := tp.Print(testEvent()); err == nil {
		t.Fatal("executing a template with an unknown field succeeded")
	}
	tp.Close()
}

// TestProtobufPrompt checks that a pipe reader gets events without the
// writer closing: the periodic flush delivers them.
func TestProtobufPrompt(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	p := NewProtobuf(w)
	if err := p.Print(testEvent()); !errors.Is(err, errNoHeader) {
		t.Fatalf("event before header: %v", err)
	}
	hdr := &pb.Header{ProtocolVersion: pb.ProtocolVersion_PROTOCOL_VERSION_1, Producer: "tracee-ebpf"}
	if err := p.Header(hdr); err != nil {
		t.Fatal(err)
	}
	got := make(chan *pb.StreamMessage, 2)
	go func() {
		sr, err := stream.NewReader(r)
		if err != nil {
			close(got)
			return
		}
		for {
			var m pb.StreamMessage
			if err := sr.Next(&m); err != nil {
				close(got)
				return
			}
			got <- &m
		}
	}()
	if err := p.Print(testEvent()); err != nil {
		t.Fatal(err)
	}
	if err := p.Lost(&pb.Lost{KernelEvents: 1}); err != nil {
		t.Fatal(err)
	}
	for i, want := range []proto.Message{
		&pb.StreamMessage{Kind: &pb.StreamMessage_Event{Event: testEvent()}},
		&pb.StreamMessage{Kind: &pb.StreamMessage_Lost{Lost: &pb.Lost{KernelEvents: 1}}},
	} {
		select {
		case m, ok := <-got:
			if !ok || !proto.Equal(m, want) {
				t.Fatalf("frame %d: %v", i, m)
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("frame %d not delivered without Close", i)
		}
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
	w.Close()
}

func dialReader(t *testing.T, path string) (net.Conn, chan *pb.StreamMessage, chan *pb.Header) {
	t.Helper()
	c, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	frames := make(chan *pb.StreamMessage, 100)
	hdr := make(chan *pb.Header, 1)
	go func() {
		defer close(frames)
		sr, err := stream.NewReader(c)
		if err != nil {
			return
		}
		hdr <- sr.Header()
		for {
			var m pb.StreamMessage
			if err := sr.Next(&m); err != nil {
				return
			}
			frames <- &m
		}
	}()
	return c, frames, hdr
}

func waitReaders(t *testing.T, s *UnixServer, n int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for s.Readers() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d readers, want %d", s.Readers(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func nextEvent(t *testing.T, frames chan *pb.StreamMessage) *pb.Event {
	t.Helper()
	select {
	case m, ok := <-frames:
		if !ok || m.GetEvent() == nil {
			t.Fatalf("want an event frame, got %v (open %v)", m, ok)
		}
		return m.GetEvent()
	case <-time.After(2 * time.Second):
		t.Fatal("no frame")
	}
	return nil
}

func TestUnixTwoReaders(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tracee.sock")
	var logMu sync.Mutex
	var logs []string
	s, err := ListenUnix(path, func(f string, a ...any) {
		logMu.Lock()
		logs = append(logs, f)
		logMu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 || fi.Mode().Type() != os.ModeSocket {
		t.Fatalf("socket mode %v", fi.Mode())
	}
	// The first reader connects before the header exists.
	c1, frames1, hdr1 := dialReader(t, path)
	defer c1.Close()
	waitReaders(t, s, 1)
	hdr := &pb.Header{ProtocolVersion: pb.ProtocolVersion_PROTOCOL_VERSION_1, Producer: "tracee-ebpf", Hostname: "box"}
	if err := s.Header(hdr); err != nil {
		t.Fatal(err)
	}
	ev1 := testEvent()
	ev1.EventId = 1
	if err := s.Print(ev1); err != nil {
		t.Fatal(err)
	}
	if h := <-hdr1; !proto.Equal(h, hdr) {
		t.Fatalf("reader 1 header %v", h)
	}
	if got := nextEvent(t, frames1); got.EventId != 1 {
		t.Fatalf("reader 1 first event %d", got.EventId)
	}
	// The late reader gets the header first, then only what follows.
	c2, frames2, hdr2 := dialReader(t, path)
	defer c2.Close()
	waitReaders(t, s, 2)
	select {
	case h := <-hdr2:
		if !proto.Equal(h, hdr) {
			t.Fatalf("reader 2 header %v", h)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("late reader got no header")
	}
	ev2 := testEvent()
	ev2.EventId = 2
	s.Print(ev2)
	s.Lost(&pb.Lost{DroppedUserspace: 3})
	for i, fr := range []chan *pb.StreamMessage{frames1, frames2} {
		if got := nextEvent(t, fr); got.EventId != 2 {
			t.Fatalf("reader %d: event %d, want 2", i+1, got.EventId)
		}
		if m := <-fr; m.GetLost().GetDroppedUserspace() != 3 {
			t.Fatalf("reader %d: lost frame %v", i+1, m)
		}
	}
	// A reader that goes away does not disturb the other one.
	c1.Close()
	deadline := time.Now().Add(3 * time.Second)
	for s.Readers() != 1 && time.Now().Before(deadline) {
		s.Print(testEvent())
		time.Sleep(5 * time.Millisecond)
	}
	if s.Readers() != 1 {
		t.Fatalf("gone reader not dropped: %d readers", s.Readers())
	}
	ev3 := testEvent()
	ev3.EventId = 3
	s.Print(ev3)
	for {
		if got := nextEvent(t, frames2); got.EventId == 3 {
			break
		}
	}
	// A second server on the same live path is refused.
	if _, err := ListenUnix(path, nil); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second listen: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("socket left behind: %v", err)
	}
	// The stream of reader 2 ends cleanly after Close.
	for range frames2 {
	}
}

// TestUnixSlowReader: a reader that never reads is cut off; the tracer
// is never blocked and the fast reader gets everything.
func TestUnixSlowReader(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.sock")
	var logMu sync.Mutex
	var logs []string
	s, err := ListenUnix(path, func(f string, a ...any) {
		logMu.Lock()
		logs = append(logs, f)
		logMu.Unlock()
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	slow, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	fast, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer fast.Close()
	waitReaders(t, s, 2)
	s.Header(&pb.Header{ProtocolVersion: pb.ProtocolVersion_PROTOCOL_VERSION_1})
	const n = 3 * UnixQueueFrames
	count := make(chan int)
	var read atomic.Int64
	go func() {
		sr, err := stream.NewReader(fast)
		if err != nil {
			count <- -1
			return
		}
		got := 0
		for got < n {
			var m pb.StreamMessage
			if err := sr.Next(&m); err != nil {
				break
			}
			got++
			read.Store(int64(got))
		}
		count <- got
	}()
	ev := testEvent()
	ev.Args = append(ev.Args, &pb.Argument{Name: "pad", Value: &pb.Argument_Bytes{Bytes: make([]byte, 1024)}})
	start := time.Now()
	for i := 0; i < n; i++ {
		if err := s.Print(ev); err != nil {
			t.Fatal(err)
		}
		// Pace the burst so the fast reader (sharing two CPUs with the
		// test) keeps within its queue; the slow one never reads.
		for i%1000 == 999 && read.Load() < int64(i-500) && time.Since(start) < 20*time.Second {
			time.Sleep(time.Millisecond)
		}
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Fatalf("printing took %v: the tracer was blocked", d)
	}
	select {
	case got := <-count:
		if got != n {
			t.Fatalf("fast reader got %d of %d", got, n)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("fast reader stalled")
	}
	if s.Readers() != 1 {
		t.Fatalf("%d readers, want the slow one dropped", s.Readers())
	}
	logMu.Lock()
	defer logMu.Unlock()
	if len(logs) == 0 || !strings.Contains(logs[0], "disconnected") {
		t.Fatalf("no disconnect logged: %q", logs)
	}
}

func TestListenUnixNotASocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "file")
	os.WriteFile(path, nil, 0o644)
	if _, err := ListenUnix(path, nil); err == nil || !strings.Contains(err.Error(), "not a socket") {
		t.Fatalf("err %v", err)
	}
}

func TestSummary(t *testing.T) {
	s := NewSummary()
	s.now = func() time.Time { return s.start.Add(1500 * time.Millisecond) }
	for _, name := range []string{"openat", "openat", "execve", "openat"} {
		s.Print(&pb.Event{EventName: name})
	}
	s.Lost(&pb.Lost{KernelEvents: 2, KernelEventsTotal: 2, FailedReads: 1, FailedReadsTotal: 1})
	s.Lost(&pb.Lost{KernelEvents: 3, KernelEventsTotal: 5, DroppedUserspace: 4})
	s.Error(errors.New("decode: short record"))
	s.Error(errors.New("decode: short record"))
	s.Error(errors.New("write: broken pipe"))
	var b bytes.Buffer
	if _, err := s.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	got := b.String()
	for _, want := range []string{
		"4 events in 1.5s",
		"openat                                      3\n  execve                                      1\n",
		"lost: 5 in the kernel ring buffer, 1 failed memory reads, 4 dropped in user space",
		"errors: 3",
		"decode: short record (x2)",
		"write: broken pipe (x1)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lacks %q:\n%s", want, got)
		}
	}
	if s.Events() != 4 {
		t.Errorf("Events = %d", s.Events())
	}
}

// With unix:PATH the socket is the output: nothing goes to stdout, and the
// reader gets the events and then the end-of-stream frame.
func TestUnixOnlyWritesNothingToStdout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tracee.sock")
	cfg, err := ParseFlags([]string{"format:protobuf", "unix:" + path})
	if err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	p, err := New(cfg, Options{Stdout: &stdout, Stderr: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Header(&pb.Header{ProtocolVersion: pb.ProtocolVersion_PROTOCOL_VERSION_1}); err != nil {
		t.Fatal(err)
	}
	_, frames, _ := dialReader(t, path)
	srv := p.(*dropEnv).next.(*Multi).Printers[0].(*UnixServer)
	waitReaders(t, srv, 1)
	if err := p.Print(testEvent()); err != nil {
		t.Fatal(err)
	}
	if err := End(p, &pb.EndOfStream{Events: 1, Reason: "signal"}); err != nil {
		t.Fatal(err)
	}
	nextEvent(t, frames)
	select {
	case m := <-frames:
		if m.GetEnd().GetReason() != "signal" || m.GetEnd().GetEvents() != 1 {
			t.Fatalf("want the end-of-stream frame, got %v", m)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("no end-of-stream frame")
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout got %d bytes with unix: only", stdout.Len())
	}
	if _, err := ParseFlags([]string{"format:json", "unix:" + path}); err == nil || !strings.Contains(err.Error(), "needs out-file") {
		t.Errorf("format:json with unix: and no out-file: %v", err)
	}
}

// The protobuf stream's last frame is the end-of-stream frame.
func TestProtobufEnd(t *testing.T) {
	var buf bytes.Buffer
	p := NewProtobuf(&buf)
	if err := p.Header(&pb.Header{ProtocolVersion: pb.ProtocolVersion_PROTOCOL_VERSION_1}); err != nil {
		t.Fatal(err)
	}
	if err := p.Print(testEvent()); err != nil {
		t.Fatal(err)
	}
	if err := End(p, &pb.EndOfStream{Events: 1, Truncated: 2, Reason: "output closed"}); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	sr, err := stream.NewReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for {
		var m pb.StreamMessage
		if err := sr.Next(&m); err != nil {
			break
		}
		kinds = append(kinds, fmt.Sprintf("%T", m.Kind))
		if e := m.GetEnd(); e != nil && (e.Truncated != 2 || e.Reason != "output closed") {
			t.Errorf("end frame %v", e)
		}
	}
	if got := strings.Join(kinds, ","); got != "*traceepb.StreamMessage_Event,*traceepb.StreamMessage_End" {
		t.Errorf("frames %s", got)
	}
}
