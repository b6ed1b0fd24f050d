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
		{name: "drop-in renamed through a bind mount of /etc/sudoers.d (watched_dir)", events: []*pb.Event{withArgs(ren("/tmp/b/x", "/tmp/b/zz"), sarg("watched_dir", "/etc/sudoers.d"))},
			want: []wantFinding{{0, map[string]any{"old_path": "/tmp/b/x", "new_path": "/tmp/b/zz", "canonical_path": "/etc/sudoers.d/zz"}}}},
		{name: "drop-in hard-linked through a dirfd (watched_dir)", events: []*pb.Event{ev("security_inode_link", sarg("old_path", "/tmp/x"), sarg("new_path", "/proc/9/fd/3/zz"), sarg("watched_dir", "/etc/sudoers.d"))},
			want: []wantFinding{{0, map[string]any{"old_path": "/tmp/x", "new_path": "/proc/9/fd/3/zz", "canonical_path": "/etc/sudoers.d/zz", "syscall": "security_inode_link"}}}},
		{name: "sudoers replaced by a symlink", events: []*pb.Event{ev("security_inode_symlink", sarg("linkpath", "/etc/sudoers"), sarg("target", "/tmp/s"))},
			want: []wantFinding{{0, map[string]any{"old_path": "/tmp/s", "new_path": "/etc/sudoers", "syscall": "security_inode_symlink"}}}},
		{name: "drop-in opened for writing through a bind mount (watched_dir)", events: []*pb.Event{withArgs(open("/mnt/s/zz", 1, "O_WRONLY"), sarg("watched_dir", "/etc/sudoers.d"))},
			want: []wantFinding{{0, map[string]any{"pathname": "/mnt/s/zz", "flags": "O_WRONLY", "canonical_path": "/etc/sudoers.d/zz"}}}},
		{name: "a file named sudoers in an ordinary directory", events: []*pb.Event{ren("/tmp/a", "/tmp/sudoers"), ev("security_inode_link", sarg("old_path", "/tmp/x"), sarg("new_path", "/home/sudoers"))}},
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
