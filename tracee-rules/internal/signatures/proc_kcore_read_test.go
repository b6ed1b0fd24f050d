package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

func TestProcKcoreRead(t *testing.T) {
	runCases(t, func() sdkSig { return NewProcKcoreRead() }, []sigCase{
		{name: "read", events: []*pb.Event{open(kcoreFile, 0, "O_RDONLY")},
			want: []wantFinding{{0, map[string]any{"pathname": kcoreFile, "flags": "O_RDONLY"}}}},
		{name: "read in container", events: []*pb.Event{ctr(open(kcoreFile, 0x80000, "O_RDONLY|O_CLOEXEC"))},
			want: []wantFinding{{0, map[string]any{"pathname": kcoreFile, "flags": "O_RDONLY|O_CLOEXEC"}}}},
		{name: "kmsg", events: []*pb.Event{open("/proc/kmsg", 0, "O_RDONLY")}},
	})
}
