package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

func TestSudoersModification(t *testing.T) {
	runCases(t, func() sdkSig { return NewSudoersModification() }, []sigCase{
		{name: "sudoers appended", events: []*pb.Event{open("/etc/sudoers", 0o2001, "O_WRONLY|O_APPEND")},
			want: []wantFinding{{0, map[string]any{"pathname": "/etc/sudoers", "flags": "O_WRONLY|O_APPEND"}}}},
		{name: "drop-in created", events: []*pb.Event{open("/etc/sudoers.d/zz", 0o101, "O_WRONLY|O_CREAT")},
			want: []wantFinding{{0, map[string]any{"pathname": "/etc/sudoers.d/zz", "flags": "O_WRONLY|O_CREAT"}}}},
		{name: "renamed onto sudoers (visudo's way)", events: []*pb.Event{ren("/etc/sudoers.tmp", "/etc/sudoers")},
			want: []wantFinding{{0, map[string]any{"old_path": "/etc/sudoers.tmp", "new_path": "/etc/sudoers"}}}},
		{name: "sudo reads it", events: []*pb.Event{open("/etc/sudoers", 0, "O_RDONLY")}},
		{name: "directory listed", events: []*pb.Event{open("/etc/sudoers.d", 0o200000, "O_RDONLY|O_DIRECTORY")}},
		{name: "nested below sudoers.d is not included", events: []*pb.Event{open("/etc/sudoers.d/a/b", 1, "O_WRONLY")}},
		{name: "similar name", events: []*pb.Event{open("/etc/sudoers.bak", 1, "O_WRONLY")}},
		// /etc/sudoers.d bind-mounted elsewhere: the kernel names the directory by its identity
		{name: "through a bind mount", events: []*pb.Event{inWatched(open("/tmp/x/evil", 0o101, "O_WRONLY|O_CREAT"), "/etc/sudoers.d")},
			want: []wantFinding{{0, map[string]any{"pathname": "/tmp/x/evil", "canonical_path": "/etc/sudoers.d/evil", "flags": "O_WRONLY|O_CREAT"}}}},
		{name: "bind mount of /etc, another file", events: []*pb.Event{inWatched(open("/tmp/e/hosts", 1, "O_WRONLY"), "/etc")}},
	})
}
