package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

func TestDiskMount(t *testing.T) {
	mount := func(dev, path, typ string) *pb.Event {
		return ev("security_sb_mount", sarg("dev_name", dev), sarg("path", path), sarg("type", typ), uarg("flags", 0))
	}
	fsmount := func(dev, typ string) *pb.Event {
		return ev("security_fsmount", sarg("dev_name", dev), sarg("type", typ), iarg("fs_fd", 3), uarg("attr_flags", 0))
	}
	runCases(t, func() sdkSig { return NewDiskMount() }, []sigCase{
		{name: "disk in container", events: []*pb.Event{ctr(mount("/dev/vda1", "/mnt", "ext4"))},
			want: []wantFinding{{0, map[string]any{"dev_name": "/dev/vda1", "path": "/mnt", "type": "ext4"}}}},
		{name: "failed attempt counts", events: []*pb.Event{ctr(ret(mount("/dev/sda", "/mnt", "xfs"), -13))},
			want: []wantFinding{{0, map[string]any{"dev_name": "/dev/sda", "path": "/mnt", "type": "xfs"}}}},
		{name: "tmpfs in container", events: []*pb.Event{ctr(mount("tmpfs", "/tmp/x", "tmpfs"))}},
		{name: "cgroup in container", events: []*pb.Event{ctr(mount("cgroup", "/tmp/cgrp", "cgroup"))}},
		{name: "runtime masks /proc/kcore with /dev/null", events: []*pb.Event{ctr(comm(ev("security_sb_mount", sarg("dev_name", "/dev/null"), sarg("path", "/proc/kcore"), sarg("type", ""), uarg("flags", 0x1000)), "runc:[2:INIT]"))}},
		{name: "bind of a device node, remount, move", events: []*pb.Event{
			ctr(ev("security_sb_mount", sarg("dev_name", "/dev/sda"), sarg("path", "/x"), uarg("flags", 0x1000|0x4000))),
			ctr(ev("security_sb_mount", sarg("dev_name", "/dev/sda"), sarg("path", "/x"), uarg("flags", 0x20|0x1))),
			ctr(ev("security_sb_mount", sarg("dev_name", "/dev/sda"), sarg("path", "/x"), uarg("flags", 0x2000)))}},
		{name: "read-only device mount", events: []*pb.Event{ctr(ev("security_sb_mount", sarg("dev_name", "/dev/sda1"), sarg("path", "/x"), sarg("type", "ext4"), uarg("flags", 0x1)))},
			want: []wantFinding{{0, map[string]any{"dev_name": "/dev/sda1", "path": "/x", "type": "ext4"}}}},
		{name: "disk on the host", events: []*pb.Event{mount("/dev/vdb", "/data", "ext4")}},
		{name: "new mount API in container", events: []*pb.Event{ctr(fsmount("/dev/vda1", "ext4"))},
			want: []wantFinding{{0, map[string]any{"dev_name": "/dev/vda1", "path": "", "type": "ext4"}}}},
		{name: "new mount API: tmpfs, or on the host", events: []*pb.Event{ctr(fsmount("tmpfs", "tmpfs")), fsmount("/dev/vdb", "ext4")}},
	})
}
