package engine

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// A finding whose event carries artifacts (tracee-ebpf --capture) names
// them in its data; the signature's own keys win.
func TestFindingsCarryArtifacts(t *testing.T) {
	sig := &fakeSig{id: "A", events: []string{"sched_process_exec"}, onEvent: func(f *fakeSig, ev *pb.Event) error {
		f.cb(sdk.Finding{Event: ev, Data: map[string]any{"artifact_size": "mine"}})
		return nil
	}}
	var got []sdk.Finding
	e, err := New([]sdk.Signature{sig}, func(f sdk.Finding) { got = append(got, f) })
	if err != nil {
		t.Fatal(err)
	}
	e.Dispatch(&pb.Event{EventName: "sched_process_exec", Artifacts: []*pb.Artifact{
		{Kind: "exec", Sha256: "ab12", Path: "/out/exec/ab12", Size: 10},
		{Kind: "mem", Sha256: "cd34", Path: "/out/mem/x.bin", Size: 4096},
	}})
	e.Dispatch(&pb.Event{EventName: "sched_process_exec"})
	if len(got) != 2 {
		t.Fatalf("%d findings", len(got))
	}
	want := map[string]any{
		"artifact_kind": "exec", "artifact_sha256": "ab12", "artifact_path": "/out/exec/ab12", "artifact_size": "mine",
		"artifact_kind_2": "mem", "artifact_sha256_2": "cd34", "artifact_path_2": "/out/mem/x.bin", "artifact_size_2": uint64(4096),
	}
	for k, v := range want {
		if got[0].Data[k] != v {
			t.Errorf("data[%s] = %v, want %v", k, got[0].Data[k], v)
		}
	}
	if len(got[0].Data) != len(want) {
		t.Errorf("data %v", got[0].Data)
	}
	if len(got[1].Data) != 1 {
		t.Errorf("finding without artifacts got data %v", got[1].Data)
	}
}
