package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

func TestBPFProgramLoad(t *testing.T) {
	bpf := func(cmd int64, rv int64) *pb.Event {
		return ret(ev("bpf", iarg("cmd", cmd), uarg("attr", 0x7ffd0000), uarg("size", 128)), rv)
	}
	runCases(t, func() sdkSig { return NewBPFProgramLoad() }, []sigCase{
		{name: "program loaded", events: []*pb.Event{bpf(5, 7)},
			want: []wantFinding{{0, map[string]any{"cmd": "BPF_PROG_LOAD", "prog fd": int64(7)}}}},
		{name: "json repr", events: []*pb.Event{ret(ev("bpf", repr("cmd", "BPF_PROG_LOAD")), 4)},
			want: []wantFinding{{0, map[string]any{"cmd": "BPF_PROG_LOAD", "prog fd": int64(4)}}}},
		{name: "refused", events: []*pb.Event{bpf(5, -1)}},
		{name: "map create", events: []*pb.Event{bpf(0, 3)}},
	})
}
