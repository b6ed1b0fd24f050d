package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

func TestClearLogs(t *testing.T) {
	runCases(t, func() sdkSig { return NewClearLogs() }, []sigCase{
		{name: "opened with O_TRUNC", events: []*pb.Event{open("/var/log/auth.log", 0o1001, "O_WRONLY|O_TRUNC")},
			want: []wantFinding{{0, map[string]any{"pathname": "/var/log/auth.log", "action": "truncate", "flags": "O_WRONLY|O_TRUNC"}}}},
		{name: "truncate to zero", events: []*pb.Event{ev("truncate", sarg("path", "/var/log/syslog"), iarg("length", 0))},
			want: []wantFinding{{0, map[string]any{"pathname": "/var/log/syslog", "action": "truncate", "return value": int64(0)}}}},
		{name: "unlinkat absolute", events: []*pb.Event{ev("unlinkat", iarg("dirfd", -100), sarg("pathname", "/var/log/apt/history.log"), iarg("flags", 0))},
			want: []wantFinding{{0, map[string]any{"pathname": "/var/log/apt/history.log", "action": "remove"}}}},
		{name: "appended", events: []*pb.Event{open("/var/log/dpkg.log", 0o2101, "O_WRONLY|O_CREAT|O_APPEND")}},
		{name: "read", events: []*pb.Event{open("/var/log/syslog", 0, "O_RDONLY")}},
		{name: "truncate to a size", events: []*pb.Event{ev("truncate", sarg("path", "/var/log/x"), iarg("length", 10))}},
		{name: "failed unlink", events: []*pb.Event{ret(ev("unlink", sarg("pathname", "/var/log/x")), -2)}},
		{name: "elsewhere", events: []*pb.Event{open("/tmp/var/log/x", 0o1001, "O_WRONLY|O_TRUNC"), ev("unlink", sarg("pathname", "/var/logx"))}},
	})
}
