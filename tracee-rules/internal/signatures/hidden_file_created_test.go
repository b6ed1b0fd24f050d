package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

// mwrite is a magic_write of b to path.
func mwrite(path string, b []byte) *pb.Event {
	return ev("magic_write", sarg("pathname", path), sdkBytes("bytes", b), uarg("dev", 8), uarg("inode", 7))
}

var elfHeader = []byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00>\x00")

func TestHiddenFileCreated(t *testing.T) {
	runCases(t, func() sdkSig { return NewHiddenFileCreated() }, []sigCase{
		{name: "elf dot-file", events: []*pb.Event{mwrite("/tmp/.x", elfHeader)},
			want: []wantFinding{{0, map[string]any{"pathname": "/tmp/.x"}}}},
		{name: "elf dot-file in container", events: []*pb.Event{ctr(mwrite("/root/.cache/.daemon", elfHeader[:4]))},
			want: []wantFinding{{0, map[string]any{"pathname": "/root/.cache/.daemon"}}}},
		{name: "elf in a hidden directory, visible name", events: []*pb.Event{mwrite("/root/.cache/tool", elfHeader)}},
		{name: "text dot-file", events: []*pb.Event{mwrite("/root/.bashrc", []byte("# ~/.bashrc"))}},
		{name: "short write", events: []*pb.Event{mwrite("/tmp/.x", []byte("\x7fEL"))}},
		{name: "visible elf", events: []*pb.Event{mwrite("/tmp/a.out", elfHeader)}},
	})
}
