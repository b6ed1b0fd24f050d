package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk/sdktest"
)

func exitEv(pid int32) *pb.Event {
	return in(ev("sched_process_exit", iarg("exit_code", 0), barg("process_group_exit", true)), pid)
}

func TestClearLogs(t *testing.T) {
	runCases(t, func() sdkSig { return NewClearLogs() }, []sigCase{
		{name: "opened with O_TRUNC", events: []*pb.Event{open("/var/log/auth.log", 0o1001, "O_WRONLY|O_TRUNC")},
			want: []wantFinding{{0, map[string]any{"pathname": "/var/log/auth.log", "action": "truncate", "flags": "O_WRONLY|O_TRUNC"}}}},
		{name: "truncate to zero", events: []*pb.Event{ev("truncate", sarg("path", "/var/log/syslog"), iarg("length", 0))},
			want: []wantFinding{{0, map[string]any{"pathname": "/var/log/syslog", "action": "truncate", "return value": int64(0)}}}},
		{name: "unlinkat absolute, process exits", events: []*pb.Event{ev("unlinkat", iarg("dirfd", -100), sarg("pathname", "/var/log/apt/history.log"), iarg("flags", 0)), exitEv(1000)},
			want: []wantFinding{{0, map[string]any{"pathname": "/var/log/apt/history.log", "action": "remove"}}}},
		{name: "rotated: removed then written again", events: []*pb.Event{ev("unlink", sarg("pathname", "/var/log/apt/eipp.log.xz")), open("/var/log/apt/eipp.log.xz", 0o101, "O_WRONLY"), exitEv(1000)}},
		{name: "another process exits", events: []*pb.Event{ev("unlink", sarg("pathname", "/var/log/x")), exitEv(2000)}},
		{name: "a thread exits", events: []*pb.Event{ev("unlink", sarg("pathname", "/var/log/x")), in(ev("sched_process_exit", iarg("exit_code", 0), barg("process_group_exit", false)), 1000)}},
		{name: "appended", events: []*pb.Event{open("/var/log/dpkg.log", 0o2101, "O_WRONLY|O_CREAT|O_APPEND")}},
		{name: "read", events: []*pb.Event{open("/var/log/syslog", 0, "O_RDONLY")}},
		{name: "truncate to a size", events: []*pb.Event{ev("truncate", sarg("path", "/var/log/x"), iarg("length", 10))}},
		{name: "emptied through a descriptor (truncate -s 0)", events: []*pb.Event{ev("security_file_truncate", sarg("pathname", "/var/log/auth.log"), iarg("length", 0))},
			want: []wantFinding{{0, map[string]any{"pathname": "/var/log/auth.log", "action": "truncate"}}}},
		{name: "cut to a size through a descriptor", events: []*pb.Event{ev("security_file_truncate", sarg("pathname", "/var/log/auth.log"), iarg("length", 4096))}},
		{name: "a file elsewhere emptied through a descriptor", events: []*pb.Event{ev("security_file_truncate", sarg("pathname", "/tmp/x.log"), iarg("length", 0))}},
		{name: "removed by a relative name (security_path_unlink), process exits", events: []*pb.Event{ev("unlink", sarg("pathname", "syslog")),
			ev("security_path_unlink", sarg("pathname", "/var/log/syslog")), exitEv(1000)},
			want: []wantFinding{{1, map[string]any{"pathname": "/var/log/syslog", "action": "remove"}}}},
		{name: "removed through .. (cleaned)", events: []*pb.Event{ev("security_path_unlink", sarg("pathname", "/var/tmp/../log/auth.log")), exitEv(1000)},
			want: []wantFinding{{0, map[string]any{"pathname": "/var/log/auth.log", "action": "remove"}}}},
		{name: "an absolute unlink and its security_path_unlink: one finding", events: []*pb.Event{ev("unlinkat", iarg("dirfd", -100), sarg("pathname", "/var/log/x"), iarg("flags", 0)),
			ev("security_path_unlink", sarg("pathname", "/var/log/x")), exitEv(1000)},
			want: []wantFinding{{0, map[string]any{"pathname": "/var/log/x", "action": "remove"}}}},
		{name: "security_path_unlink elsewhere", events: []*pb.Event{ev("security_path_unlink", sarg("pathname", "/var/log/../logx/y")), exitEv(1000)}},
		{name: "failed unlink", events: []*pb.Event{ret(ev("unlink", sarg("pathname", "/var/log/x")), -2)}},
		{name: "elsewhere", events: []*pb.Event{open("/tmp/var/log/x", 0o1001, "O_WRONLY|O_TRUNC"), ev("unlink", sarg("pathname", "/var/logx"))}},
	})
}

func TestClearLogsEndOfInput(t *testing.T) {
	h := sdktest.New(t, NewClearLogs())
	if got := h.Feed(ev("unlink", sarg("pathname", "/var/log/x"))); len(got) != 0 {
		t.Fatalf("reported before the process ended: %v", got)
	}
	if got := h.End(); len(got) != 1 || got[0].Data["pathname"] != "/var/log/x" {
		t.Fatalf("end of input: %v, want the pending removal", got)
	}
}
