package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

func TestCgroupNotifyOnRelease(t *testing.T) {
	const p = "/tmp/cgrp/x/notify_on_release"
	runCases(t, func() sdkSig { return NewCgroupNotifyOnRelease() }, []sigCase{
		{name: "write in container", events: []*pb.Event{ctr(open(p, 1, "O_WRONLY"))},
			want: []wantFinding{{0, map[string]any{"pathname": p, "flags": "O_WRONLY"}}}},
		{name: "rdwr in container", events: []*pb.Event{ctr(open("/sys/fs/cgroup/memory/notify_on_release", 2, "O_RDWR"))},
			want: []wantFinding{{0, map[string]any{"pathname": "/sys/fs/cgroup/memory/notify_on_release", "flags": "O_RDWR"}}}},
		{name: "read in container", events: []*pb.Event{ctr(open(p, 0, "O_RDONLY"))}},
		{name: "write on the host", events: []*pb.Event{open(p, 1, "O_WRONLY")}},
		{name: "similar name", events: []*pb.Event{ctr(open("/tmp/notify_on_release.bak", 1, "O_WRONLY"))}},
	})
}
