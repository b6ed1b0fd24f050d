package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

func hookedProcFops(hooked *pb.Argument) *pb.Event {
	return ev("hooked_proc_fops", hooked,
		uarg("proc_root_iterate_shared", 0xffffffffc0001000), uarg("proc_root_lookup", 0xffffffff8177b140),
		uarg("proc_pid_iterate_shared", 0xffffffff81782320), uarg("proc_pid_lookup", 0xffffffff81781340))
}

func TestHookedProcFops(t *testing.T) {
	addrs := map[string]any{"proc_root_iterate_shared": "0xffffffffc0001000", "proc_root_lookup": "0xffffffff8177b140",
		"proc_pid_iterate_shared": "0xffffffff81782320", "proc_pid_lookup": "0xffffffff81781340"}
	with := func(hooked string) map[string]any {
		m := map[string]any{"hooked": hooked}
		for k, v := range addrs {
			m[k] = v
		}
		return m
	}
	runCases(t, func() sdkSig { return NewHookedProcFops() }, []sigCase{
		{name: "readdir hooked", events: []*pb.Event{hookedProcFops(&pb.Argument{Name: "hooked", Type: "u32", Value: &pb.Argument_Uint{Uint: 1}, Repr: "proc_root_readdir"})},
			want: []wantFinding{{0, with("proc_root_readdir")}}},
		{name: "two hooked", events: []*pb.Event{hookedProcFops(&pb.Argument{Name: "hooked", Type: "u32", Value: &pb.Argument_Uint{Uint: 5}, Repr: "proc_root_readdir|proc_tgid_base_readdir"})},
			want: []wantFinding{{0, with("proc_root_readdir|proc_tgid_base_readdir")}}},
		{name: "JSON input, repr only", events: []*pb.Event{ev("hooked_proc_fops", repr("hooked", "proc_root_lookup"))},
			want: []wantFinding{{0, map[string]any{"hooked": "proc_root_lookup"}}}},
		{name: "bits without repr", events: []*pb.Event{ev("hooked_proc_fops", uarg("hooked", 8))},
			want: []wantFinding{{0, map[string]any{"hooked": "0x8"}}}},
		{name: "nothing hooked", events: []*pb.Event{ev("hooked_proc_fops", uarg("hooked", 0))}},
		{name: "other event", events: []*pb.Event{ev("proc_create", sarg("name", "hidden"))}},
	})
}
