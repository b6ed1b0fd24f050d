package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

func TestAntiDebugging(t *testing.T) {
	want := map[string]any{"ptrace request": "PTRACE_TRACEME"}
	runCasesToEnd(t, func() sdk.Signature { return NewAntiDebugging() }, []sigCase{
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

// A debugger's child TRACEMEs and then execs its target, or is driven by
// its parent's ptrace requests (debuggers' feature probes): not
// anti-debugging. Without either the TRACEME is reported, at the thread's
// exit, after tracemeWindow, or at the end of the input.
func TestAntiDebuggingDebuggerChild(t *testing.T) {
	want := map[string]any{"ptrace request": "PTRACE_TRACEME"}
	child := func(e *pb.Event) *pb.Event { // pid 2000, child of 1000
		e = in(e, 2000)
		e.HostParentProcessId = 1000
		return e
	}
	at := func(e *pb.Event, ns int64) *pb.Event { e.Timestamp += ns; return e }
	traceme := func() *pb.Event { return child(ev("ptrace", flag("request", 0, "PTRACE_TRACEME"), iarg("pid", 0))) }
	runCasesToEnd(t, func() sdk.Signature { return NewAntiDebugging() }, []sigCase{
		{name: "traceme then exec (strace/gdb starting a program)", events: []*pb.Event{traceme(), child(ev("sched_process_exec"))}},
		{name: "traceme then the parent's ptrace on it (debugger probe)", events: []*pb.Event{traceme(),
			in(ev("ptrace", flag("request", 0x4200, "PTRACE_SETOPTIONS"), iarg("pid", 2000)), 1000), child(ev("sched_process_exit"))}},
		{name: "traceme then exit", events: []*pb.Event{traceme(), child(ev("sched_process_exit"))}, want: []wantFinding{{0, want}}},
		{name: "traceme, another process execs", events: []*pb.Event{traceme(), in(ev("sched_process_exec"), 3000)}, want: []wantFinding{{0, want}}},
		{name: "traceme, a stranger ptraces it", events: []*pb.Event{traceme(),
			in(ev("ptrace", flag("request", 16, "PTRACE_ATTACH"), iarg("pid", 2000)), 3000)}, want: []wantFinding{{0, want}}},
		{name: "traceme, exec after the window", events: []*pb.Event{traceme(), at(child(ev("sched_process_exec")), 2e9)}, want: []wantFinding{{0, want}}},
	})
}
