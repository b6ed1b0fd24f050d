package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

func TestKernelModuleLoading(t *testing.T) {
	runCases(t, func() sdk.Signature { return NewKernelModuleLoading() }, []sigCase{
		{name: "finit_module", events: []*pb.Event{ev("finit_module", iarg("fd", 3), sarg("param_values", ""), iarg("flags", 0))},
			want: []wantFinding{{0, map[string]any{"syscall": "finit_module", "return value": int64(0), "fd": int64(3)}}}},
		{name: "init_module failed still counts", events: []*pb.Event{ret(ev("init_module", uarg("module_image", 0x7f00), uarg("len", 4096), sarg("param_values", "debug=1")), -1)},
			want: []wantFinding{{0, map[string]any{"syscall": "init_module", "return value": int64(-1), "len": uint64(4096), "param_values": "debug=1"}}}},
		{name: "delete_module is not loading", events: []*pb.Event{ev("delete_module", sarg("name", "x"))}},
		{name: "openat of a .ko is not loading", events: []*pb.Event{ev("openat", sarg("pathname", "/lib/modules/x.ko"))}},
	})
}
