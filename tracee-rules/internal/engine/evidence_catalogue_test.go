package engine

import (
	"strconv"
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/internal/signatures"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// The real file detections on an open for writing get their evidence
// follow-up when the writer's exit carries the written file.
func TestEvidenceCatalogueFileDetections(t *testing.T) {
	for i, tc := range []struct{ id, path string }{
		{"TRC-7", "/etc/ld.so.preload"},
		{"TRC-1028", "/etc/sudoers"},
		{"TRC-1012", "/lib64/ld-linux-x86-64.so.2"},
		{"TRC-1026", "/etc/rc.local"},
		{"TRC-1027", "/etc/crontab"},
	} {
		t.Run(tc.id, func(t *testing.T) {
			e, got := realSigEngine(t, tc.id)
			pid := int32(4000 + i)
			target := "/out/write/dev-8.inode-" + tc.id
			e.Dispatch(&pb.Event{EventName: "security_file_open", EventId: 1010, Timestamp: 77, HostProcessId: pid, HostThreadId: pid,
				ProcessId: pid, ThreadId: pid, ProcessName: "evil", Args: []*pb.Argument{
					{Name: "pathname", Value: &pb.Argument_Str{Str: tc.path}},
					{Name: "flags", Value: &pb.Argument_Int{Int: 0o1101}, Repr: "O_WRONLY|O_CREAT|O_TRUNC"},
				}, Artifacts: []*pb.Artifact{{Kind: "write", Path: target}}})
			if len(*got) != 1 {
				t.Fatalf("%d findings on the open", len(*got))
			}
			e.Dispatch(&pb.Event{EventName: "sched_process_exit", EventId: 1004, Timestamp: 99, HostProcessId: pid, HostThreadId: pid,
				Artifacts: []*pb.Artifact{{Kind: "written", Sha256: "5a", Path: target, Size: 2}}})
			if len(*got) != 2 || (*got)[1].Data["artifact_sha256"] != "5a" || (*got)[1].Data[EvidenceFor] != tc.id+"@77/"+itoa(pid) ||
				(*got)[1].SigMetadata.ID != tc.id {
				t.Errorf("findings %+v", *got)
			}
		})
	}
}

// The dropped-ELF detections fire on magic_write, whose artifact is the
// first write's bytes; the writer's exit brings the whole file.
func TestEvidenceDroppedELF(t *testing.T) {
	for i, id := range []string{"TRC-1015", "TRC-1022"} {
		t.Run(id, func(t *testing.T) {
			e, got := realSigEngine(t, id)
			pid := int32(5000 + i)
			target := "/out/write/dev-8.inode-" + id
			e.Dispatch(&pb.Event{EventName: "magic_write", EventId: 1015, Timestamp: 55, HostProcessId: pid, HostThreadId: pid,
				ContainerId: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", ProcessId: 7, ThreadId: pid, ProcessName: "evil", Args: []*pb.Argument{
					{Name: "pathname", Value: &pb.Argument_Str{Str: "/tmp/.payload"}},
					{Name: "bytes", Value: &pb.Argument_Bytes{Bytes: []byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00")}},
					{Name: "dev", Value: &pb.Argument_Uint{Uint: 8}},
					{Name: "inode", Value: &pb.Argument_Uint{Uint: 9}},
				}, Artifacts: []*pb.Artifact{{Kind: "write", Sha256: "f1", Path: target, Size: 16}}})
			if len(*got) != 1 || (*got)[0].Data["artifact_sha256"] != "f1" {
				t.Fatalf("findings on the magic_write %+v", *got)
			}
			e.Dispatch(&pb.Event{EventName: "sched_process_exit", EventId: 1004, HostProcessId: pid, HostThreadId: pid,
				Artifacts: []*pb.Artifact{{Kind: "written", Sha256: "a11", Path: target, Size: 9000}}})
			if len(*got) != 2 || (*got)[1].Data["artifact_sha256"] != "a11" || (*got)[1].Data[EvidenceFor] != id+"@55/"+itoa(pid) {
				t.Errorf("follow-up %+v", *got)
			}
		})
	}
}

func itoa(n int32) string { return strconv.Itoa(int(n)) }

// realSigEngine is an engine running the catalogue's signature id, and the
// findings it made.
func realSigEngine(t *testing.T, id string) (*Engine, *[]sdk.Finding) {
	t.Helper()
	for _, sig := range signatures.All() {
		if m, _ := sig.GetMetadata(); m.ID == id {
			var got []sdk.Finding
			e, err := New([]sdk.Signature{sig}, func(f sdk.Finding) { got = append(got, f) })
			if err != nil {
				t.Fatal(err)
			}
			return e, &got
		}
	}
	t.Fatalf("no signature %s", id)
	return nil, nil
}
