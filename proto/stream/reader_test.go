package stream

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"google.golang.org/protobuf/encoding/protodelim"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

// The framing is protodelim's: a stream written with protodelim.MarshalTo
// reads back with Reader...
func TestReadsProtodelimStream(t *testing.T) {
	var buf bytes.Buffer
	msgs := append([]*pb.StreamMessage{{Kind: &pb.StreamMessage_Header{Header: header()}}}, goldenFrames()...)
	for _, m := range msgs {
		if _, err := protodelim.MarshalTo(&buf, m); err != nil {
			t.Fatal(err)
		}
	}
	hdr, frames, err := readAll(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if !proto.Equal(hdr, header()) {
		t.Errorf("header %v", hdr)
	}
	if len(frames) != len(msgs)-1 {
		t.Fatalf("%d frames, want %d", len(frames), len(msgs)-1)
	}
	for i, m := range msgs[1:] {
		if !proto.Equal(frames[i], m) {
			t.Errorf("frame %d:\n got %v\nwant %v", i, frames[i], m)
		}
	}
}

// ...and protodelim.UnmarshalFrom reads what Writer writes.
func TestProtodelimReadsWriter(t *testing.T) {
	data := write(t, header(), goldenFrames())
	r := bytes.NewReader(data)
	want := append([]*pb.StreamMessage{{Kind: &pb.StreamMessage_Header{Header: header()}}}, goldenFrames()...)
	for i, w := range want {
		var m pb.StreamMessage
		if err := protodelim.UnmarshalFrom(r, &m); err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if !proto.Equal(&m, w) {
			t.Errorf("frame %d:\n got %v\nwant %v", i, &m, w)
		}
	}
	if err := protodelim.UnmarshalFrom(r, new(pb.StreamMessage)); !errors.Is(err, io.EOF) {
		t.Errorf("after the last frame: %v, want io.EOF", err)
	}
}

// Reading into one message again replaces its contents entirely and leaves
// the messages an earlier read returned as they were: their strings and bytes
// do not alias the reader's reused frame buffer.
func TestReuseMessage(t *testing.T) {
	frames := goldenFrames()
	data := write(t, header(), frames)
	r, err := NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var m pb.StreamMessage
	var kept []proto.Message
	for i, want := range frames {
		if err := r.Next(&m); err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(&m, want) {
			t.Fatalf("frame %d read into a reused message:\n got %v\nwant %v", i, &m, want)
		}
		if e := m.GetEvent(); e != nil {
			kept = append(kept, e)
		} else {
			kept = append(kept, m.GetLost())
		}
	}
	// Overwrite the buffer with other frames, then look at what was kept.
	more := write(t, header(), []*pb.StreamMessage{{Kind: &pb.StreamMessage_Event{Event: &pb.Event{
		EventName: strings.Repeat("z", 300), ProcessName: strings.Repeat("y", 300),
		Args: []*pb.Argument{{Name: "n", Value: &pb.Argument_Bytes{Bytes: bytes.Repeat([]byte{9}, 300)}}}}}}})
	r2, err := NewReader(bytes.NewReader(more))
	if err != nil {
		t.Fatal(err)
	}
	r.buf, r2.buf = nil, r.buf // the second reader decodes into the first one's buffer
	if err := r2.Next(&m); err != nil {
		t.Fatal(err)
	}
	for i, want := range frames {
		var w proto.Message = want.GetEvent()
		if want.GetEvent() == nil {
			w = want.GetLost()
		}
		if !proto.Equal(kept[i], w) {
			t.Errorf("frame %d changed after later reads:\n got %v\nwant %v", i, kept[i], w)
		}
	}
}

// frame encodes m as one frame with the vtprotobuf marshaller, which (unlike
// proto.Marshal) writes invalid UTF-8 without complaint.
func frame(t *testing.T, m *pb.StreamMessage) []byte {
	t.Helper()
	body, err := m.MarshalVT()
	if err != nil {
		t.Fatal(err)
	}
	return append(protowire.AppendVarint(nil, uint64(len(body))), body...)
}

// stringFieldPaths lists, for every string field reachable from md, the
// message fields leading to it followed by the field itself.
func stringFieldPaths(md protoreflect.MessageDescriptor, prefix []protoreflect.FieldDescriptor) [][]protoreflect.FieldDescriptor {
	var out [][]protoreflect.FieldDescriptor
	fields := md.Fields()
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		path := append(append([]protoreflect.FieldDescriptor{}, prefix...), fd)
		switch fd.Kind() {
		case protoreflect.StringKind:
			out = append(out, path)
		case protoreflect.MessageKind:
			if len(prefix) < 8 { // tracee.proto has no recursive message
				out = append(out, stringFieldPaths(fd.Message(), path)...)
			}
		}
	}
	return out
}

// Every string field of tracee.proto is checked for UTF-8, as proto.Unmarshal
// does: a frame with an invalid one is a corrupt frame, named and skipped.
func TestEveryStringFieldChecked(t *testing.T) {
	paths := stringFieldPaths((&pb.StreamMessage{}).ProtoReflect().Descriptor(), nil)
	if len(paths) < 15 {
		t.Fatalf("only %d string fields found", len(paths))
	}
	good := &pb.StreamMessage{Kind: &pb.StreamMessage_Event{Event: &pb.Event{EventName: "openat", ProcessName: "héllo"}}}
	for _, path := range paths {
		field := path[len(path)-1]
		t.Run(string(field.FullName()), func(t *testing.T) {
			root := (&pb.StreamMessage{}).ProtoReflect()
			cur := root
			for _, fd := range path[:len(path)-1] {
				if fd.IsList() {
					cur = cur.Mutable(fd).List().AppendMutable().Message()
				} else {
					cur = cur.Mutable(fd).Message()
				}
			}
			bad := protoreflect.ValueOfString("ok\xffnot utf-8")
			if field.IsList() {
				cur.Mutable(field).List().Append(protoreflect.ValueOfString("fine"))
				cur.Mutable(field).List().Append(bad)
			} else {
				cur.Set(field, bad)
			}
			hdr := write(t, header(), nil)
			data := append(append(append([]byte{}, hdr...), frame(t, root.Interface().(*pb.StreamMessage))...), frame(t, good)...)
			// proto.Unmarshal refuses the body too.
			if err := proto.Unmarshal(data[len(hdr)+1:len(data)-len(frame(t, good))], new(pb.StreamMessage)); err == nil {
				t.Fatalf("proto.Unmarshal accepted the frame: test does not set %s", field.FullName())
			}
			r, err := NewReader(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			var m pb.StreamMessage
			err = r.Next(&m)
			var fe *FrameError
			want := fmt.Sprintf("frame at byte offset %d: corrupt frame: string field %s contains invalid UTF-8", len(hdr), field.FullName())
			if !errors.As(err, &fe) || fe.Offset != int64(len(hdr)) || err.Error() != want {
				t.Fatalf("err %v\nwant %s", err, want)
			}
			if err := r.Next(&m); err != nil || !proto.Equal(&m, good) {
				t.Fatalf("frame after the corrupt one: %v, %v", err, &m)
			}
		})
	}
}

// Valid multi-byte UTF-8 is accepted.
func TestValidUTF8Accepted(t *testing.T) {
	ev := &pb.StreamMessage{Kind: &pb.StreamMessage_Event{Event: &pb.Event{EventName: "openat", ProcessName: "naïve 日本",
		Args: []*pb.Argument{{Name: "pathname", Value: &pb.Argument_Str{Str: "/tmp/é€😀"}}}}}}
	_, frames, err := readAll(write(t, header(), []*pb.StreamMessage{ev}))
	if err != nil || len(frames) != 1 || !proto.Equal(frames[0], ev) {
		t.Fatalf("%v, %v", err, frames)
	}
}

func TestLengthPrefixErrors(t *testing.T) {
	hdr := write(t, header(), nil)
	at := fmt.Sprintf("frame at byte offset %d: ", len(hdr))
	for _, tc := range []struct {
		name  string
		tail  []byte
		is    error // nil: corrupt frame
		msg   string
		after int64 // offset after the error
	}{
		{"varint overflow", bytes.Repeat([]byte{0xff}, 10), nil, at + "corrupt frame: frame length: variable length integer overflow", 10},
		{"varint too long", append(bytes.Repeat([]byte{0x80}, 10), 0), nil, at + "corrupt frame: frame length: variable length integer overflow", 10},
		{"truncated varint", []byte{0x80, 0x80}, ErrTruncated, at + "truncated frame: stream ended after 2 bytes of the frame", 2},
		{"truncated body", []byte{10, 1, 2, 3}, ErrTruncated, at + "truncated frame: stream ended after 4 bytes of the frame", 4},
		{"too large", []byte{0x81, 0x80, 0x80, 0x02}, ErrFrameTooLarge, at + "frame too large: 4194305 bytes, limit 4194304", 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewReader(bytes.NewReader(append(append([]byte{}, hdr...), tc.tail...)))
			if err != nil {
				t.Fatal(err)
			}
			err = r.Next(new(pb.StreamMessage))
			var fe *FrameError
			if !errors.As(err, &fe) || fe.Offset != int64(len(hdr)) || err.Error() != tc.msg {
				t.Fatalf("err %v\nwant %s", err, tc.msg)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("%v is not %v", err, tc.is)
			}
			if r.Offset() != int64(len(hdr))+tc.after {
				t.Errorf("offset after the error %d, want %d", r.Offset(), int64(len(hdr))+tc.after)
			}
		})
	}
}

// A frame larger than the buffer growth step reads whole, also without a limit.
func TestLargeFrame(t *testing.T) {
	big := &pb.StreamMessage{Kind: &pb.StreamMessage_Event{Event: &pb.Event{EventName: "write",
		Args: []*pb.Argument{{Name: "buf", Value: &pb.Argument_Bytes{Bytes: bytes.Repeat([]byte("0123456789"), 300_000)}}}}}}
	data := write(t, header(), []*pb.StreamMessage{big, goldenFrames()[0]})
	for _, limit := range []int64{0, -1, 4 << 20} {
		_, frames, err := readAll(data, WithMaxFrameSize(limit))
		if err != nil || len(frames) != 2 || !proto.Equal(frames[0], big) || !proto.Equal(frames[1], goldenFrames()[0]) {
			t.Fatalf("limit %d: %d frames, %v", limit, len(frames), err)
		}
	}
	_, _, err := readAll(data, WithMaxFrameSize(1<<20))
	if !errors.Is(err, ErrFrameTooLarge) {
		t.Fatalf("limit 1 MiB: %v", err)
	}
}

// A failing underlying reader is not a bad frame: its error comes back
// wrapped, not as a *FrameError, so a caller does not skip and resynchronise.
func TestReadError(t *testing.T) {
	data := write(t, header(), goldenFrames())
	boom := errors.New("disk on fire")
	cut := len(data) - 3
	r, err := NewReader(io.MultiReader(bytes.NewReader(data[:cut]), iotest.ErrReader(boom)))
	if err != nil {
		t.Fatal(err)
	}
	var m pb.StreamMessage
	for {
		err = r.Next(&m)
		if err != nil {
			break
		}
	}
	var fe *FrameError
	if !errors.Is(err, boom) || errors.As(err, &fe) || !strings.Contains(err.Error(), "read frame at byte offset") {
		t.Fatalf("err %v, want the reader's error, not a FrameError", err)
	}
	// A reader that reports io.ErrUnexpectedEOF itself (a cut gzip file) is a truncation.
	r, err = NewReader(io.MultiReader(bytes.NewReader(data[:cut]), iotest.ErrReader(io.ErrUnexpectedEOF)))
	if err != nil {
		t.Fatal(err)
	}
	for {
		if err = r.Next(&m); err != nil {
			break
		}
	}
	if !errors.Is(err, ErrTruncated) || !errors.As(err, &fe) {
		t.Fatalf("err %v, want ErrTruncated", err)
	}
}
