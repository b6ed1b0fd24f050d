package output

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/tracee-go/tracee/proto/stream"
	pb "github.com/tracee-go/tracee/proto/traceepb"
)

// A recording rotated by size: every file is a whole stream (header first,
// "rotated" end frame), and together they hold every event in order.
func TestProtobufRotation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rec.pb")
	cfg, err := ParseFlags([]string{"format:protobuf", "out-file:" + path, "rotate:2K"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(cfg, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Header(&pb.Header{ProtocolVersion: pb.ProtocolVersion_PROTOCOL_VERSION_1, Producer: "test"}); err != nil {
		t.Fatal(err)
	}
	const n = 200
	for i := 0; i < n; i++ {
		if err := p.Print(&pb.Event{EventName: "openat", EventId: 257, HostProcessId: int32(i), ProcessName: "rotation-test"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(path + ".*")
	if len(files) < 3 {
		t.Fatalf("%d rotated files, want several", len(files))
	}
	next := int32(0)
	for i := 1; i <= len(files)+1; i++ {
		name := path
		if i <= len(files) {
			name = path + "." + string(rune('0'+i%10))
			if i >= 10 {
				t.Skip("more than 9 files")
			}
		}
		st, err := os.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		if i <= len(files) && st.Size() > 2048+512 {
			t.Errorf("%s: %d bytes, limit 2K (+ one frame)", name, st.Size())
		}
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		sr, err := stream.NewReader(f)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ended := false
		for {
			var m pb.StreamMessage
			err := sr.Next(&m)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if ev := m.GetEvent(); ev != nil {
				if ev.HostProcessId != next {
					t.Fatalf("%s: event %d, want %d", name, ev.HostProcessId, next)
				}
				next++
			}
			if e := m.GetEnd(); e != nil {
				ended = e.Reason == "rotated"
			}
		}
		f.Close()
		if i <= len(files) && !ended {
			t.Errorf("%s: no rotated end frame", name)
		}
	}
	if next != n {
		t.Errorf("%d events across the files, want %d", next, n)
	}
}

func TestRotateNeedsRecording(t *testing.T) {
	for _, flags := range [][]string{{"format:json", "out-file:/x", "rotate:1M"}, {"format:protobuf", "rotate:1M"}, {"format:protobuf", "out-file:/x", "rotate:lots"}} {
		if _, err := ParseFlags(flags); err == nil {
			t.Errorf("ParseFlags(%q) accepted", flags)
		}
	}
}
