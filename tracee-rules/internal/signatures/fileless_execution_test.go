package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

func TestFilelessExecution(t *testing.T) {
	exec := func(cmdpath, path, fs string, memfd, deleted bool) *pb.Event {
		return ev("sched_process_exec", sarg("cmdpath", cmdpath), sarg("pathname", path), uarg("dev", 1), uarg("inode", 2),
			strs("argv", "x"), strs("env", "PATH=/bin"), barg("is_memfd", memfd), barg("is_deleted", deleted), sarg("fs_type", fs))
	}
	d := func(reason, path, cmdpath, fs string) map[string]any {
		return map[string]any{"reason": reason, "pathname": path, "cmdpath": cmdpath, "fs_type": fs}
	}
	runCases(t, func() sdk.Signature { return NewFilelessExecution() }, []sigCase{
		{name: "is_memfd", events: []*pb.Event{exec("/proc/self/fd/3", "/memfd:payload (deleted)", "tmpfs", true, true)},
			want: []wantFinding{{0, d("memfd", "/memfd:payload (deleted)", "/proc/self/fd/3", "tmpfs")}}},
		{name: "memfd pathname without flag (json)", events: []*pb.Event{ev("sched_process_exec", sarg("pathname", "memfd:x"), sarg("cmdpath", "/bin/x"))},
			want: []wantFinding{{0, map[string]any{"reason": "memfd", "pathname": "memfd:x", "cmdpath": "/bin/x"}}}},
		{name: "dev fd of an on-disk file (fexecve, runc re-exec) is not fileless", events: []*pb.Event{exec("/dev/fd/5", "/home/u/a.out", "ext4", false, false)}},
		{name: "proc fd of an on-disk file is not fileless", events: []*pb.Event{exec("/proc/77/fd/9", "/usr/bin/true", "ext4", false, false)}},
		{name: "deleted file", events: []*pb.Event{exec("/home/u/x", "/home/u/x (deleted)", "ext4", false, true)},
			want: []wantFinding{{0, d("deleted file", "/home/u/x (deleted)", "/home/u/x", "ext4")}}},
		{name: "dev shm", events: []*pb.Event{exec("/dev/shm/x", "/dev/shm/x", "tmpfs", false, false)},
			want: []wantFinding{{0, d("memory file system tmpfs", "/dev/shm/x", "/dev/shm/x", "tmpfs")}}},
		{name: "run shm", events: []*pb.Event{exec("./x", "/run/shm/x", "", false, false)},
			want: []wantFinding{{0, map[string]any{"reason": "shared memory", "pathname": "/run/shm/x", "cmdpath": "./x"}}}},
		{name: "tmpfs elsewhere", events: []*pb.Event{exec("/run/user/1000/x", "/run/user/1000/x", "tmpfs", false, false)},
			want: []wantFinding{{0, d("memory file system tmpfs", "/run/user/1000/x", "/run/user/1000/x", "tmpfs")}}},
		{name: "ramfs", events: []*pb.Event{exec("/mnt/r/x", "/mnt/r/x", "ramfs", false, false)},
			want: []wantFinding{{0, d("memory file system ramfs", "/mnt/r/x", "/mnt/r/x", "ramfs")}}},
		{name: "tmpfs mounted under /tmp", events: []*pb.Event{exec("/tmp/m/x", "/tmp/m/x", "tmpfs", false, false)},
			want: []wantFinding{{0, d("memory file system tmpfs", "/tmp/m/x", "/tmp/m/x", "tmpfs")}}},
		{name: "devtmpfs", events: []*pb.Event{exec("/dev/x", "/dev/x", "devtmpfs", false, false)},
			want: []wantFinding{{0, d("memory file system devtmpfs", "/dev/x", "/dev/x", "devtmpfs")}}},
		{name: "shm path on disk (fs_type known) is not fileless", events: []*pb.Event{exec("/dev/shm/x", "/dev/shm/x", "ext4", false, false)}},
		{name: "regular binary", events: []*pb.Event{exec("/usr/bin/ls", "/usr/bin/ls", "ext4", false, false)}},
		{name: "path that only looks like shm", events: []*pb.Event{exec("/srv/dev/shm/x", "/srv/dev/shm/x", "xfs", false, false)}},
		{name: "fd-like but not a number", events: []*pb.Event{exec("/dev/fd/x", "/usr/bin/x", "ext4", false, false)}},
		{name: "overlay in container", events: []*pb.Event{exec("/bin/sh", "/bin/sh", "overlay", false, false)}},
	})
}

// A script's interpreter and the loader run as a program open the code
// they run: that open is checked too.
func TestFilelessScriptsAndLoader(t *testing.T) {
	exec := func(cmdpath, path, interp string, argv ...string) *pb.Event {
		return ev("sched_process_exec", sarg("cmdpath", cmdpath), sarg("pathname", path), sarg("interp", interp),
			strs("argv", argv...), barg("is_memfd", false), barg("is_deleted", false), sarg("fs_type", "ext4"))
	}
	open := func(name, path string, magic uint64) *pb.Event {
		return ev("security_file_open", sarg("pathname", path), iarg("flags", 0), sarg("syscall_pathname", name), uarg("fs_magic", magic), uarg("inode_mode", 0o100755))
	}
	runCases(t, func() sdk.Signature { return NewFilelessExecution() }, []sigCase{
		{name: "memfd script", events: []*pb.Event{exec("/dev/fd/3", "/usr/bin/dash", "/bin/sh", "/bin/sh", "/dev/fd/3"), open("/dev/fd/3", "memfd:script", 0x01021994)},
			want: []wantFinding{{1, map[string]any{"reason": "memfd", "pathname": "memfd:script", "opened as": "/dev/fd/3"}}}},
		{name: "script on disk", events: []*pb.Event{exec("/usr/bin/s.sh", "/usr/bin/dash", "/bin/sh", "/bin/sh", "/usr/bin/s.sh"), open("/usr/bin/s.sh", "/usr/bin/s.sh", 0xef53)}},
		{name: "elf exec opens a tmpfs file: not its code", events: []*pb.Event{exec("/bin/cat", "/usr/bin/cat", "/bin/cat", "cat", "/dev/shm/x"), open("/dev/shm/x", "/dev/shm/x", 0x01021994)}},
		{name: "loader given a tmpfs program", events: []*pb.Event{exec("/lib64/ld-linux-x86-64.so.2", "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", "/lib64/ld-linux-x86-64.so.2", "ld.so", "--library-path", "/x", "/dev/shm/p"),
			open("/dev/shm/p", "/dev/shm/p", 0x01021994)},
			want: []wantFinding{{1, map[string]any{"reason": "memory file system tmpfs (script or program given to the loader)", "pathname": "/dev/shm/p", "opened as": "/dev/shm/p"}}}},
		{name: "loader given an on-disk program", events: []*pb.Event{exec("/lib64/ld-linux-x86-64.so.2", "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", "/lib64/ld-linux-x86-64.so.2", "ld.so", "/bin/true"),
			open("/bin/true", "/usr/bin/true", 0xef53)}},
	})
}
