package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

func TestLDPreload(t *testing.T) {
	exec := func(env ...string) *pb.Event {
		return ev("sched_process_exec", sarg("pathname", "/usr/bin/ls"), strs("argv", "ls"), strs("env", env...))
	}
	open := func(path string, flags *pb.Argument) *pb.Event {
		return ev("security_file_open", sarg("pathname", path), flags)
	}
	write := func(path string) *pb.Event {
		return ev("magic_write", sarg("pathname", path), sdkBytes("bytes", []byte("/tmp/x.so\n")))
	}
	runCases(t, func() sdk.Signature { return NewLDPreload() }, []sigCase{
		{name: "LD_PRELOAD last in env", events: []*pb.Event{exec("PATH=/bin", "HOME=/root", "LD_PRELOAD=/tmp/evil.so")},
			want: []wantFinding{{0, map[string]any{"LD_PRELOAD": "/tmp/evil.so"}}}},
		{name: "both variables", events: []*pb.Event{exec("LD_LIBRARY_PATH=/opt/x", "LD_PRELOAD=/x.so")},
			want: []wantFinding{{0, map[string]any{"LD_PRELOAD": "/x.so", "LD_LIBRARY_PATH": "/opt/x"}}}},
		{name: "empty value", events: []*pb.Event{exec("LD_PRELOAD=", "LD_LIBRARY_PATH=")}},
		{name: "similar names", events: []*pb.Event{exec("MY_LD_PRELOAD=/x.so", "LD_PRELOADX=/x.so", "LD_PRELOAD")}},
		{name: "no env arg", events: []*pb.Event{ev("sched_process_exec", sarg("pathname", "/bin/ls"))}},
		{name: "ld.so.preload opened for write", events: []*pb.Event{open("/etc/ld.so.preload", flag("flags", 0o1101, "O_WRONLY|O_CREAT|O_TRUNC"))},
			want: []wantFinding{{0, map[string]any{"pathname": "/etc/ld.so.preload", "flags": "O_WRONLY|O_CREAT|O_TRUNC"}}}},
		{name: "ld.so.preload rdwr repr", events: []*pb.Event{open("/etc/ld.so.preload", repr("flags", "O_RDWR"))},
			want: []wantFinding{{0, map[string]any{"pathname": "/etc/ld.so.preload", "flags": "O_RDWR"}}}},
		{name: "ld.so.preload read by the loader", events: []*pb.Event{open("/etc/ld.so.preload", flag("flags", 0o2000000, "O_RDONLY|O_CLOEXEC"))}},
		{name: "other file written", events: []*pb.Event{open("/etc/ld.so.conf", iarg("flags", 1)), write("/etc/ld.so.preload.bak")}},
		{name: "magic_write alone", events: []*pb.Event{write("/etc/ld.so.preload")},
			want: []wantFinding{{0, map[string]any{"pathname": "/etc/ld.so.preload"}}}},
		{name: "open then write: one finding", events: []*pb.Event{open("/etc/ld.so.preload", iarg("flags", 1)), write("/etc/ld.so.preload")},
			want: []wantFinding{{0, map[string]any{"pathname": "/etc/ld.so.preload", "flags": int64(1)}}}},
		{name: "write by another process is separate", events: []*pb.Event{open("/etc/ld.so.preload", iarg("flags", 1)), in(write("/etc/ld.so.preload"), 2000)},
			want: []wantFinding{{0, map[string]any{"pathname": "/etc/ld.so.preload", "flags": int64(1)}}, {1, map[string]any{"pathname": "/etc/ld.so.preload"}}}},
	})
}
