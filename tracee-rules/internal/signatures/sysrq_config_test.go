package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

func TestSysrqConfig(t *testing.T) {
	runCases(t, func() sdkSig { return NewSysrqConfig() }, []sigCase{
		{name: "sysrq written in container", events: []*pb.Event{ctr(open("/proc/sys/kernel/sysrq", 1, "O_WRONLY"))},
			want: []wantFinding{{0, map[string]any{"pathname": "/proc/sys/kernel/sysrq", "flags": "O_WRONLY"}}}},
		{name: "trigger written in container", events: []*pb.Event{ctr(open("/proc/sysrq-trigger", 2, "O_RDWR"))},
			want: []wantFinding{{0, map[string]any{"pathname": "/proc/sysrq-trigger", "flags": "O_RDWR"}}}},
		{name: "read in container", events: []*pb.Event{ctr(open("/proc/sys/kernel/sysrq", 0, "O_RDONLY"))}},
		{name: "written on the host", events: []*pb.Event{open("/proc/sys/kernel/sysrq", 1, "O_WRONLY")}},
	})
}
