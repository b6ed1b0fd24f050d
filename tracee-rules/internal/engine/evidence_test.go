package engine

import (
	"strings"
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// A finding on an open for writing names where the writes go; the
// opener's exit carrying the written file's sha256 gives a follow-up of
// the same signature and event, with the written artifact and a link to
// the first finding. Another process's exit, another file, or a second
// exit give nothing.
func TestEvidenceFollowUp(t *testing.T) {
	sig := &fakeSig{id: "TRC-7", events: []string{"security_file_open"}, onEvent: func(f *fakeSig, ev *pb.Event) error {
		f.cb(sdk.Finding{Event: ev, Data: map[string]any{"file": "/etc/ld.so.preload"}})
		return nil
	}}
	var got []sdk.Finding
	e, err := New([]sdk.Signature{sig}, func(f sdk.Finding) { got = append(got, f) })
	if err != nil {
		t.Fatal(err)
	}
	target := "/out/write/dev-7.inode-99"
	open := &pb.Event{EventName: "security_file_open", Timestamp: 1000, HostProcessId: 60, HostThreadId: 61,
		Artifacts: []*pb.Artifact{{Kind: "write", Path: target}}}
	e.Dispatch(open)
	written := &pb.Artifact{Kind: "written", Sha256: "ab12", Path: target, Size: 13}
	exit := func(pid int32, a *pb.Artifact) *pb.Event {
		return &pb.Event{EventName: "sched_process_exit", Timestamp: 2000, HostProcessId: pid, HostThreadId: pid, Artifacts: []*pb.Artifact{a}}
	}
	e.Dispatch(exit(70, written))
	e.Dispatch(exit(60, &pb.Artifact{Kind: "written", Sha256: "ff", Path: "/out/write/dev-7.inode-5"}))
	if len(got) != 1 {
		t.Fatalf("%d findings before the writer's exit", len(got))
	}
	if got[0].Data["artifact_kind"] != "write" || got[0].Data["artifact_sha256"] != "" {
		t.Errorf("first finding %v", got[0].Data)
	}
	e.Dispatch(exit(60, written))
	e.Dispatch(exit(60, written))
	if len(got) != 2 {
		t.Fatalf("%d findings, want the first and one follow-up", len(got))
	}
	f := got[1]
	want := map[string]any{"file": "/etc/ld.so.preload", "artifact_kind": "written", "artifact_sha256": "ab12",
		"artifact_path": target, "artifact_size": uint64(13), EvidenceFor: "TRC-7@1000/61"}
	for k, v := range want {
		if f.Data[k] != v {
			t.Errorf("follow-up data[%s] = %v, want %v", k, f.Data[k], v)
		}
	}
	if len(f.Data) != len(want) || f.SigMetadata.ID != "TRC-7" || f.Event.EventName != "security_file_open" || f.Event.Timestamp != 1000 {
		t.Errorf("follow-up %+v", f)
	}
	if len(open.Artifacts) != 1 || open.Artifacts[0].Kind != "write" || got[0].Data["artifact_kind"] != "write" {
		t.Errorf("the first finding changed: %v %v", open.Artifacts, got[0].Data)
	}
	if s := e.Stats(); s.Signatures[0].Findings != 2 || s.EvidenceDropped != 0 {
		t.Errorf("stats %+v", s)
	}
}

// Findings waiting for their writer's exit are bounded; the forgotten ones
// are counted.
func TestEvidenceWaitsBounded(t *testing.T) {
	var w evidenceWaits
	st := &sigState{}
	for i := 0; i < maxPendingEvidence+3; i++ {
		w.note(st, sdk.Finding{Event: &pb.Event{HostProcessId: int32(i), Artifacts: []*pb.Artifact{{Kind: "write", Path: "/p"}}}})
	}
	if len(w.list) != maxPendingEvidence || w.dropped.Load() != 3 {
		t.Errorf("%d waiting, %d dropped", len(w.list), w.dropped.Load())
	}
}

// --list-events asks for the exits that carry written files when a
// signature watches opens.
func TestEvidenceEvents(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"magic_write,security_file_open", "magic_write,sched_process_exit,security_file_open"},
		{"sched_process_exit,security_file_open", "sched_process_exit,security_file_open"},
		{"execve,magic_write", "execve,magic_write,sched_process_exit"},
		{"execve,ptrace", "execve,ptrace"},
	} {
		if got := strings.Join(EvidenceEvents(strings.Split(tc.in, ",")), ","); got != tc.want {
			t.Errorf("EvidenceEvents(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
