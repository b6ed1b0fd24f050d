package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

func TestAntiDebugging(t *testing.T) {
	want := map[string]any{"ptrace request": "PTRACE_TRACEME"}
	runCases(t, func() sdk.Signature { return NewAntiDebugging() }, []sigCase{
		{name: "traceme numeric and repr", events: []*pb.Event{ev("ptrace", flag("request", 0, "PTRACE_TRACEME"), iarg("pid", 0))}, want: []wantFinding{{0, want}}},
		{name: "traceme numeric only", events: []*pb.Event{ev("ptrace", iarg("request", 0))}, want: []wantFinding{{0, want}}},
		{name: "traceme repr only (json)", events: []*pb.Event{ev("ptrace", repr("request", "PTRACE_TRACEME"))}, want: []wantFinding{{0, want}}},
		{name: "attach is not traceme", events: []*pb.Event{ev("ptrace", flag("request", 16, "PTRACE_ATTACH"))}},
		{name: "peekdata is not traceme", events: []*pb.Event{ev("ptrace", repr("request", "PTRACE_PEEKDATA"))}},
		{name: "missing request arg", events: []*pb.Event{ev("ptrace", iarg("pid", 0))}},
		{name: "other event with request arg", events: []*pb.Event{ev("openat", iarg("request", 0))}},
		{name: "two tracemes, two findings", events: []*pb.Event{ev("ptrace", iarg("request", 0)), ev("ptrace", iarg("request", 0))}, want: []wantFinding{{0, want}, {1, want}}},
	})
}
