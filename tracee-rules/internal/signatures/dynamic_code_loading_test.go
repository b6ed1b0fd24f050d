package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

func TestDynamicCodeLoading(t *testing.T) {
	const wx = protWrite | protExec | 1
	mmap := func(prot *pb.Argument) *pb.Event {
		return withSyscall(ret(ev("mmap", uarg("addr", 0), uarg("length", 8192), prot, flag("flags", 0x22, "MAP_PRIVATE|MAP_ANONYMOUS"), iarg("fd", -1), uarg("offset", 0)), 0x7f0000000000), sysMmap)
	}
	mprotect := func(prot *pb.Argument) *pb.Event {
		return withSyscall(ev("mprotect", uarg("addr", 0x7f0000000000), uarg("len", 4096), prot), sysMprotect)
	}
	alert := func(a *pb.Argument, length uint64, sc int32) *pb.Event {
		return withSyscall(ev("mem_prot_alert", a, uarg("addr", 0x7f0000000000), uarg("len", length), flag("prot", 4, "PROT_EXEC"), flag("prev_prot", 7, "PROT_READ|PROT_WRITE|PROT_EXEC"), sarg("pathname", "")), sc)
	}
	alertWXtoX := &pb.Argument{Name: "alert", Type: "u32", Value: &pb.Argument_Uint{Uint: 4}, Repr: "Protection changed from W+E to E!"}
	alertMmap := &pb.Argument{Name: "alert", Type: "u32", Value: &pb.Argument_Uint{Uint: 1}, Repr: "Mmaped region with W+E permissions!"}
	alertToX := &pb.Argument{Name: "alert", Type: "u32", Value: &pb.Argument_Uint{Uint: 2}, Repr: "Protection changed to Executable!"}
	mmapData := map[string]any{"syscall": "mmap", "prot": "PROT_READ|PROT_WRITE|PROT_EXEC", "len": uint64(8192)}

	runCases(t, func() sdk.Signature { return NewDynamicCodeLoading() }, []sigCase{
		{name: "alert W+E to E", events: []*pb.Event{alert(alertWXtoX, 4096, sysMprotect)},
			want: []wantFinding{{0, map[string]any{"alert": "Protection changed from W+E to E!"}}}},
		{name: "alert text only (json)", events: []*pb.Event{alert(repr("alert", "Protection changed from W+E to E!"), 4096, -1)},
			want: []wantFinding{{0, map[string]any{"alert": "Protection changed from W+E to E!"}}}},
		{name: "alert number only", events: []*pb.Event{alert(uarg("alert", 1), 4096, -1)},
			want: []wantFinding{{0, map[string]any{"alert": "Mmaped region with W+E permissions!"}}}},
		{name: "alert to executable is not W+E", events: []*pb.Event{alert(alertToX, 4096, sysMprotect)}},
		{name: "mmap W+E", events: []*pb.Event{mmap(flag("prot", wx, "PROT_READ|PROT_WRITE|PROT_EXEC"))}, want: []wantFinding{{0, mmapData}}},
		{name: "mmap W+E repr only", events: []*pb.Event{mmap(repr("prot", "PROT_READ|PROT_WRITE|PROT_EXEC"))}, want: []wantFinding{{0, mmapData}}},
		{name: "mmap R+E (shared library)", events: []*pb.Event{mmap(flag("prot", 5, "PROT_READ|PROT_EXEC"))}},
		{name: "mmap R+W", events: []*pb.Event{mmap(repr("prot", "PROT_READ|PROT_WRITE"))}},
		{name: "failed mmap", events: []*pb.Event{ret(mmap(flag("prot", wx, "PROT_READ|PROT_WRITE|PROT_EXEC")), -12)}},
		{name: "mprotect W+E", events: []*pb.Event{mprotect(flag("prot", 6, "PROT_WRITE|PROT_EXEC"))},
			want: []wantFinding{{0, map[string]any{"syscall": "mprotect", "prot": "PROT_WRITE|PROT_EXEC", "len": uint64(4096)}}}},
		{name: "mmap and its alert: one finding", events: []*pb.Event{mmap(flag("prot", wx, "PROT_READ|PROT_WRITE|PROT_EXEC")), alert(alertMmap, 8192, sysMmap)},
			want: []wantFinding{{0, mmapData}}},
		{name: "alert before its mmap: one finding", events: []*pb.Event{alert(alertMmap, 8192, sysMmap), mmap(flag("prot", wx, "PROT_READ|PROT_WRITE|PROT_EXEC"))},
			want: []wantFinding{{0, map[string]any{"alert": "Mmaped region with W+E permissions!"}}}},
		{name: "two mmaps, one alert: two findings", events: []*pb.Event{mmap(flag("prot", wx, "PROT_READ|PROT_WRITE|PROT_EXEC")), alert(alertMmap, 8192, sysMmap), mmap(flag("prot", wx, "PROT_READ|PROT_WRITE|PROT_EXEC"))},
			want: []wantFinding{{0, mmapData}, {2, mmapData}}},
		{name: "alert of another length is not a duplicate", events: []*pb.Event{mmap(flag("prot", wx, "PROT_READ|PROT_WRITE|PROT_EXEC")), alert(alertMmap, 4096, sysMmap)},
			want: []wantFinding{{0, mmapData}, {1, map[string]any{"alert": "Mmaped region with W+E permissions!"}}}},
	})
}
