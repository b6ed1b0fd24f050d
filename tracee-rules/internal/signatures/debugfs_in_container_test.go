package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

func TestDebugfsInContainer(t *testing.T) {
	runCases(t, func() sdkSig { return NewDebugfsInContainer() }, []sigCase{
		{name: "debugfs in container", events: []*pb.Event{ctr(exec("/sbin/debugfs", "debugfs", "/dev/vda1"))},
			want: []wantFinding{{0, map[string]any{"pathname": "/sbin/debugfs", "argv": []string{"debugfs", "/dev/vda1"}}}}},
		{name: "debugfs on the host", events: []*pb.Event{exec("/sbin/debugfs", "debugfs", "-R", "stats", "/dev/vda1")}},
		{name: "other tool in container", events: []*pb.Event{ctr(exec("/sbin/dumpe2fs", "dumpe2fs", "/dev/vda1"))}},
	})
}
