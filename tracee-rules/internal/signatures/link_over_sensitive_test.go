package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

func TestLinkOverSensitiveFile(t *testing.T) {
	sym := func(link, target string) *pb.Event {
		return ev("security_inode_symlink", sarg("linkpath", link), sarg("target", target))
	}
	hard := func(old, new string) *pb.Event {
		return ev("security_inode_link", sarg("old_path", old), sarg("new_path", new))
	}
	runCases(t, func() sdkSig { return NewLinkOverSensitiveFile() }, []sigCase{
		{name: "symlink to shadow", events: []*pb.Event{sym("/tmp/s", "/etc/shadow")},
			want: []wantFinding{{0, map[string]any{"link": "/tmp/s", "target": "/etc/shadow"}}}},
		{name: "relative symlink", events: []*pb.Event{sym("/tmp/x/s", "../../etc/./sudoers")},
			want: []wantFinding{{0, map[string]any{"link": "/tmp/x/s", "target": "/etc/sudoers"}}}},
		{name: "symlink to /root", events: []*pb.Event{ctr(sym("/tmp/r", "/root/"))},
			want: []wantFinding{{0, map[string]any{"link": "/tmp/r", "target": "/root"}}}},
		{name: "hard link to a host key", events: []*pb.Event{hard("/etc/ssh/ssh_host_ed25519_key", "/tmp/k")},
			want: []wantFinding{{0, map[string]any{"link": "/tmp/k", "target": "/etc/ssh/ssh_host_ed25519_key"}}}},
		{name: "ordinary symlinks", events: []*pb.Event{sym("/usr/bin/python", "python3.11"), sym("/etc/alternatives/x", "/usr/bin/x"), hard("/tmp/a", "/tmp/b")}},
		{name: "passwd is not sensitive", events: []*pb.Event{sym("/tmp/p", "/etc/passwd")}},
	})
}
