package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

func TestDiskMount(t *testing.T) {
	mount := func(dev, path, typ string) *pb.Event {
		return ev("security_sb_mount", sarg("dev_name", dev), sarg("path", path), sarg("type", typ), uarg("flags", 0))
	}
	runCases(t, func() sdkSig { return NewDiskMount() }, []sigCase{
		{name: "disk in container", events: []*pb.Event{ctr(mount("/dev/vda1", "/mnt", "ext4"))},
			want: []wantFinding{{0, map[string]any{"dev_name": "/dev/vda1", "path": "/mnt", "type": "ext4"}}}},
		{name: "failed attempt counts", events: []*pb.Event{ctr(ret(mount("/dev/sda", "/mnt", "xfs"), -13))},
			want: []wantFinding{{0, map[string]any{"dev_name": "/dev/sda", "path": "/mnt", "type": "xfs"}}}},
		{name: "tmpfs in container", events: []*pb.Event{ctr(mount("tmpfs", "/tmp/x", "tmpfs"))}},
		{name: "cgroup in container", events: []*pb.Event{ctr(mount("cgroup", "/tmp/cgrp", "cgroup"))}},
		{name: "disk on the host", events: []*pb.Event{mount("/dev/vdb", "/data", "ext4")}},
	})
}
