package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

func TestASLRInspection(t *testing.T) {
	runCases(t, func() sdkSig { return NewASLRInspection() }, []sigCase{
		{name: "read", events: []*pb.Event{open(aslrFile, 0, "O_RDONLY")},
			want: []wantFinding{{0, map[string]any{"pathname": aslrFile, "flags": "O_RDONLY"}}}},
		{name: "read in container", events: []*pb.Event{ctr(open(aslrFile, 2, "O_RDWR"))},
			want: []wantFinding{{0, map[string]any{"pathname": aslrFile, "flags": "O_RDWR"}}}},
		{name: "O_PATH reads nothing", events: []*pb.Event{open(aslrFile, 0o10000000, "O_RDONLY|O_PATH"), open(aslrFile, 0o10000000, "")}},
		{name: "write only", events: []*pb.Event{open(aslrFile, 1, "O_WRONLY")}},
		{name: "other sysctl", events: []*pb.Event{open("/proc/sys/kernel/hostname", 0, "O_RDONLY")}},
	})
}
