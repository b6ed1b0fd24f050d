package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

func TestCgroupReleaseAgent(t *testing.T) {
	const p = "/tmp/cgrp/release_agent"
	runCases(t, func() sdkSig { return NewCgroupReleaseAgent() }, []sigCase{
		{name: "write in container", events: []*pb.Event{ctr(open(p, 0o1101, "O_WRONLY|O_CREAT|O_TRUNC"))},
			want: []wantFinding{{0, map[string]any{"pathname": p, "flags": "O_WRONLY|O_CREAT|O_TRUNC"}}}},
		{name: "renamed onto in container", events: []*pb.Event{ctr(ren("/tmp/x", "/tmp/cgrp/release_agent"))},
			want: []wantFinding{{0, map[string]any{"old_path": "/tmp/x", "new_path": "/tmp/cgrp/release_agent"}}}},
		{name: "renamed onto on the host", events: []*pb.Event{ren("/tmp/x", "/tmp/cgrp/release_agent")}},
		{name: "read in container", events: []*pb.Event{ctr(open(p, 0, "O_RDONLY"))}},
		{name: "write on the host", events: []*pb.Event{open(p, 1, "O_WRONLY")}},
		{name: "other cgroup file", events: []*pb.Event{ctr(open("/tmp/cgrp/cgroup.procs", 1, "O_WRONLY"))}},
	})
}
