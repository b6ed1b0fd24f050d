package stream

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

var update = flag.Bool("update", false, "rewrite testdata/golden.pb")

func header() *pb.Header {
	return &pb.Header{ProtocolVersion: pb.ProtocolVersion_PROTOCOL_VERSION_1, Producer: "tracee-ebpf", ProducerVersion: "0.1.0",
		Hostname: "box", BootTimeUnixNano: 1700000000000000000, KernelRelease: "6.18.0"}
}

// goldenFrames are the frames after the header in testdata/golden.pb.
func goldenFrames() []*pb.StreamMessage {
	ev := func(e *pb.Event) *pb.StreamMessage { return &pb.StreamMessage{Kind: &pb.StreamMessage_Event{Event: e}} }
	return []*pb.StreamMessage{
		ev(&pb.Event{Timestamp: 1700000000000000001, ProcessId: 7, HostProcessId: 4242, ProcessName: "strace", EventId: 101, EventName: "ptrace", Syscall: 101,
			Args: []*pb.Argument{{Name: "request", Type: "long", Value: &pb.Argument_Int{Int: 0}, Repr: "PTRACE_TRACEME"}}}),
		{Kind: &pb.StreamMessage_Lost{Lost: &pb.Lost{KernelEvents: 3, KernelEventsTotal: 3, FailedReads: 1, FailedReadsTotal: 1}}},
		ev(&pb.Event{Timestamp: 1700000000000000002, EventId: 1013, EventName: "socket_dup", Syscall: 33, ContainerId: "abc",
			Args: []*pb.Argument{
				{Name: "oldfd", Type: "int", Value: &pb.Argument_Int{Int: 3}},
				{Name: "newfd", Type: "int", Value: &pb.Argument_Int{Int: 0}},
				{Name: "remote_addr", Type: "struct sockaddr*", Value: &pb.Argument_Sockaddr{Sockaddr: &pb.SockAddr{Family: "AF_INET", Ip: "10.0.0.1", Port: 4444}}},
			},
			Ancestry: []*pb.Ancestor{{HostPid: 4000, Pid: 1, Comm: "bash"}}}),
		ev(&pb.Event{EventName: "sched_process_exec", EventId: 1003, Syscall: -1, Args: []*pb.Argument{
			{Name: "env", Type: "const char**", Value: &pb.Argument_StrArray{StrArray: &pb.StringArray{Values: []string{"PATH=/bin", "LD_PRELOAD=/x.so"}}}},
			{Name: "is_memfd", Type: "bool", Value: &pb.Argument_Bool{Bool: true}},
			{Name: "bytes", Type: "bytes", Value: &pb.Argument_Bytes{Bytes: []byte{0x7f, 'E', 'L', 'F'}}},
		}}),
		{Kind: &pb.StreamMessage_End{End: &pb.EndOfStream{Events: 3, KernelEventsLost: 3, FailedReads: 1, Truncated: 1, Reason: "signal"}}},
	}
}

// write encodes a stream with the Writer.
func write(t testing.TB, hdr *pb.Header, frames []*pb.StreamMessage) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, hdr)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range frames {
		switch k := m.Kind.(type) {
		case *pb.StreamMessage_Event:
			err = w.WriteEvent(k.Event)
		case *pb.StreamMessage_Lost:
			err = w.WriteLost(k.Lost)
		case *pb.StreamMessage_End:
			err = w.WriteEnd(k.End)
		default:
			t.Fatalf("cannot write %T", k)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// readAll reads every frame; it returns the frames and the first error that
// is not io.EOF.
func readAll(data []byte, opts ...Option) (*pb.Header, []*pb.StreamMessage, error) {
	r, err := NewReader(bytes.NewReader(data), opts...)
	if err != nil {
		return nil, nil, err
	}
	var out []*pb.StreamMessage
	for {
		m := new(pb.StreamMessage)
		err := r.Next(m)
		if errors.Is(err, io.EOF) {
			return r.Header(), out, nil
		}
		if err != nil {
			return r.Header(), out, err
		}
		out = append(out, m)
	}
}

func TestGolden(t *testing.T) {
	got := write(t, header(), goldenFrames())
	if *update {
		if err := os.WriteFile("testdata/golden.pb", got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	golden, err := os.ReadFile("testdata/golden.pb")
	if err != nil {
		t.Fatal(err)
	}
	// The recorded stream still reads as the same messages...
	hdr, frames, err := readAll(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(hdr, header()) {
		t.Errorf("header %v", hdr)
	}
	want := goldenFrames()
	if len(frames) != len(want) {
		t.Fatalf("%d frames, want %d", len(frames), len(want))
	}
	for i := range want {
		if !proto.Equal(frames[i], want[i]) {
			t.Errorf("frame %d:\n got %v\nwant %v", i, frames[i], want[i])
		}
	}
	// ...and the writer still produces it byte for byte.
	if !bytes.Equal(got, golden) {
		t.Errorf("writer output differs from testdata/golden.pb (%d vs %d bytes); run with -update if the change is intended", len(got), len(golden))
	}
}

func TestRoundTripOffsets(t *testing.T) {
	data := write(t, header(), goldenFrames())
	r, err := NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		var m pb.StreamMessage
		err := r.Next(&m)
		if errors.Is(err, io.EOF) {
			if r.Offset() != int64(len(data)) {
				t.Fatalf("offset at EOF %d, want %d", r.Offset(), len(data))
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// frameStarts returns the byte offset of each frame (header first).
func frameStarts(t *testing.T, data []byte) []int64 {
	r, err := NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	starts := []int64{0, r.Offset()}
	for {
		var m pb.StreamMessage
		if err := r.Next(&m); err != nil {
			return starts[:len(starts)-1]
		}
		starts = append(starts, r.Offset())
	}
}

func TestTruncated(t *testing.T) {
	data := write(t, header(), goldenFrames())
	starts := frameStarts(t, data)
	last := starts[len(starts)-1]
	for _, cut := range []int64{last + 1, last + 2, int64(len(data)) - 1} {
		_, frames, err := readAll(data[:cut])
		var fe *FrameError
		if !errors.Is(err, ErrTruncated) || !errors.As(err, &fe) || fe.Offset != last {
			t.Fatalf("cut at %d: err %v, want ErrTruncated at offset %d", cut, err, last)
		}
		if !strings.Contains(err.Error(), fmt.Sprintf("byte offset %d", last)) {
			t.Errorf("error %q does not name the offset", err)
		}
		if len(frames) != len(goldenFrames())-1 {
			t.Errorf("cut at %d: %d complete frames before the cut, want %d", cut, len(frames), len(goldenFrames())-1)
		}
	}
	// Cut exactly between frames: a clean end.
	if _, frames, err := readAll(data[:last]); err != nil || len(frames) != len(goldenFrames())-1 {
		t.Errorf("cut between frames: %d frames, %v", len(frames), err)
	}
	// Cut inside the header.
	if _, err := NewReader(bytes.NewReader(data[:5])); !errors.Is(err, ErrTruncated) {
		t.Errorf("cut header: %v", err)
	}
	if _, err := NewReader(bytes.NewReader(nil)); !errors.Is(err, io.EOF) {
		t.Errorf("empty stream: %v", err)
	}
}

func TestOversized(t *testing.T) {
	big := &pb.StreamMessage{Kind: &pb.StreamMessage_Event{Event: &pb.Event{EventName: "openat", ProcessName: strings.Repeat("x", 2000)}}}
	data := write(t, header(), []*pb.StreamMessage{goldenFrames()[0], big})
	starts := frameStarts(t, data)
	_, frames, err := readAll(data, WithMaxFrameSize(1000))
	var fe *FrameError
	if !errors.Is(err, ErrFrameTooLarge) || !errors.As(err, &fe) || fe.Offset != starts[2] || len(frames) != 1 {
		t.Fatalf("err %v (%d frames), want ErrFrameTooLarge at %d", err, len(frames), starts[2])
	}
	if !strings.Contains(err.Error(), "limit 1000") {
		t.Errorf("error %q does not name the limit", err)
	}
	if _, frames, err := readAll(data); err != nil || len(frames) != 2 {
		t.Errorf("default limit: %d frames, %v", len(frames), err)
	}
}

func TestCorruptFrame(t *testing.T) {
	good := write(t, header(), goldenFrames()[:1])
	at := int64(len(good))
	// A whole frame (length 4) whose body is not a StreamMessage (field 1,
	// wire type 2, with a length running past the frame), then a good frame.
	data := append(append([]byte{}, good...), 4, 0x0a, 0x7f, 0x01, 0x02)
	data = append(data, write(t, header(), goldenFrames()[2:3])[len(write(t, header(), nil)):]...)
	r, err := NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var m pb.StreamMessage
	if err := r.Next(&m); err != nil {
		t.Fatal(err)
	}
	err = r.Next(&m)
	var fe *FrameError
	if !errors.As(err, &fe) || fe.Offset != at || !strings.Contains(err.Error(), fmt.Sprintf("frame at byte offset %d: corrupt frame", at)) {
		t.Fatalf("err %v, want corrupt frame at %d", err, at)
	}
	if errors.Is(err, ErrTruncated) || errors.Is(err, ErrFrameTooLarge) {
		t.Errorf("corrupt frame misclassified: %v", err)
	}
	// The reader resumes at the next frame.
	if err := r.Next(&m); err != nil || m.GetEvent().GetEventName() != "socket_dup" {
		t.Fatalf("after corrupt frame: %v, %v", err, &m)
	}
}

func TestHeaderChecks(t *testing.T) {
	noHeader := write(t, header(), goldenFrames()[:1])[len(write(t, header(), nil)):]
	if _, err := NewReader(bytes.NewReader(noHeader)); !errors.Is(err, ErrNoHeader) {
		t.Errorf("no header: %v", err)
	}
	bad := header()
	bad.ProtocolVersion = 2
	if _, err := NewReader(bytes.NewReader(write(t, bad, nil))); err == nil || !strings.Contains(err.Error(), "unsupported protocol version 2") {
		t.Errorf("bad version: %v", err)
	}
}

// FuzzReader checks that any byte string after a valid header is read without
// panicking, that every error is a *FrameError locating a frame inside the
// input, and that what was read re-encodes and reads back the same.
func FuzzReader(f *testing.F) {
	hdr := write(f, header(), nil)
	full := write(f, header(), goldenFrames())
	f.Add(full[len(hdr):])
	f.Add([]byte{4, 0x0a, 0x7f, 0x01, 0x02})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, tail []byte) {
		data := append(append([]byte{}, hdr...), tail...)
		r, err := NewReader(bytes.NewReader(data), WithMaxFrameSize(1<<16))
		if err != nil {
			t.Fatalf("valid header refused: %v", err)
		}
		var frames []*pb.StreamMessage
		for i := 0; i < len(tail)+1; i++ {
			m := new(pb.StreamMessage)
			err := r.Next(m)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				var fe *FrameError
				if !errors.As(err, &fe) || fe.Offset < int64(len(hdr)) || fe.Offset >= int64(len(data)) {
					t.Fatalf("error %v does not locate a frame inside the input", err)
				}
				if errors.Is(err, ErrTruncated) || errors.Is(err, ErrFrameTooLarge) {
					break
				}
				continue
			}
			if m.GetEvent() == nil && m.GetLost() == nil {
				continue // empty, or a header: nothing the writer re-encodes
			}
			frames = append(frames, m)
		}
		writable := frames
		_, back, err := readAll(write(t, header(), writable))
		if err != nil || len(back) != len(writable) {
			t.Fatalf("re-encoded stream: %d frames of %d, %v", len(back), len(writable), err)
		}
		// The writer wraps only the payload: compare payloads (unknown fields
		// of the fuzzed StreamMessage itself are not carried over).
		payload := func(m *pb.StreamMessage) proto.Message {
			if e := m.GetEvent(); e != nil {
				return e
			}
			return m.GetLost()
		}
		for i := range back {
			if !proto.Equal(payload(back[i]), payload(writable[i])) {
				t.Fatalf("frame %d changed on re-encode:\n%v\n%v", i, writable[i], back[i])
			}
		}
	})
}

// Events sharing one ancestry slice reuse its encoding; a different slice
// (or one of different length) is encoded afresh. Every frame must decode
// to the event as written.
func TestAncestryEncodingReuse(t *testing.T) {
	shared := []*pb.Ancestor{{HostPid: 10, Pid: 1, Comm: "bash"}, {HostPid: 1, Pid: 1, Comm: "init"}}
	other := []*pb.Ancestor{{HostPid: 20, Pid: 2, Comm: "sshd"}}
	evs := []*pb.Event{
		{EventName: "read", HostProcessId: 11, Ancestry: shared},
		{EventName: "write", HostProcessId: 11, Ancestry: shared},
		{EventName: "read", HostProcessId: 21, Ancestry: other},
		{EventName: "close", HostProcessId: 12, Ancestry: shared[:1]},
		{EventName: "close", HostProcessId: 13},
		{EventName: "openat", HostProcessId: 11, Ancestry: shared},
	}
	var buf bytes.Buffer
	w, err := NewWriter(&buf, header())
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if err := w.WriteEvent(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	_, frames, err := readAll(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(frames) != len(evs) {
		t.Fatalf("%d frames, want %d", len(frames), len(evs))
	}
	for i, ev := range evs {
		if got := frames[i].GetEvent(); !proto.Equal(got, ev) {
			t.Errorf("frame %d:\n got %v\nwant %v", i, got, ev)
		}
	}
}

func BenchmarkWriteEvent(b *testing.B) {
	ev := goldenFrames()[0].GetEvent()
	w, err := NewWriter(io.Discard, header())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := w.WriteEvent(ev); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkReadEvent(b *testing.B) {
	var buf bytes.Buffer
	w, _ := NewWriter(&buf, header())
	ev := goldenFrames()[0].GetEvent()
	for i := 0; i < 10000; i++ {
		w.WriteEvent(ev)
	}
	w.Flush()
	data := buf.Bytes()
	b.ReportAllocs()
	var m pb.StreamMessage
	for b.Loop() {
		r, err := NewReader(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		for {
			if err := r.Next(&m); err != nil {
				break
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*10000), "ns/event")
}
