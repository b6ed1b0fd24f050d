package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

func TestSchedDebugRecon(t *testing.T) {
	runCases(t, func() sdkSig { return NewSchedDebugRecon() }, []sigCase{
		{name: "debugfs file in container", events: []*pb.Event{ctr(open("/sys/kernel/debug/sched/debug", 0, "O_RDONLY"))},
			want: []wantFinding{{0, map[string]any{"pathname": "/sys/kernel/debug/sched/debug", "flags": "O_RDONLY"}}}},
		{name: "proc file in container", events: []*pb.Event{ctr(open("/proc/sched_debug", 0, "O_RDONLY"))},
			want: []wantFinding{{0, map[string]any{"pathname": "/proc/sched_debug", "flags": "O_RDONLY"}}}},
		{name: "on the host", events: []*pb.Event{open("/proc/sched_debug", 0, "O_RDONLY")}},
		{name: "schedstat", events: []*pb.Event{ctr(open("/proc/schedstat", 0, "O_RDONLY"))}},
	})
}
