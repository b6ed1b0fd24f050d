package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

func TestCorePattern(t *testing.T) {
	runCases(t, func() sdkSig { return NewCorePattern() }, []sigCase{
		{name: "write in container", events: []*pb.Event{ctr(open(corePatternFile, 1, "O_WRONLY"))},
			want: []wantFinding{{0, map[string]any{"pathname": corePatternFile, "flags": "O_WRONLY"}}}},
		{name: "read in container", events: []*pb.Event{ctr(open(corePatternFile, 0, "O_RDONLY"))}},
		{name: "write on the host", events: []*pb.Event{open(corePatternFile, 1, "O_WRONLY")}},
		{name: "core_uses_pid", events: []*pb.Event{ctr(open("/proc/sys/kernel/core_uses_pid", 1, "O_WRONLY"))}},
	})
}
