package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

func TestLoaderExec(t *testing.T) {
	const ld = "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
	ldd := exec(ld, "/lib64/ld-linux-x86-64.so.2", "/bin/ls")
	ldd.Args[3] = strs("env", "LD_TRACE_LOADED_OBJECTS=1")
	runCases(t, func() sdkSig { return NewLoaderExec() }, []sigCase{
		{name: "loader runs a program", events: []*pb.Event{exec(ld, "/lib64/ld-linux-x86-64.so.2", "/tmp/prog", "arg")},
			want: []wantFinding{{0, map[string]any{"loader": ld, "program": "/tmp/prog", "argv": []string{"/lib64/ld-linux-x86-64.so.2", "/tmp/prog", "arg"}}}}},
		{name: "with loader options", events: []*pb.Event{exec(ld, "ld.so", "--library-path", "/x", "/tmp/prog")},
			want: []wantFinding{{0, map[string]any{"loader": ld, "program": "/tmp/prog", "argv": []string{"ld.so", "--library-path", "/x", "/tmp/prog"}}}}},
		{name: "ldd verify", events: []*pb.Event{exec(ld, "ld-linux-x86-64.so.2", "--verify", "/bin/ls")}},
		{name: "ldd trace", events: []*pb.Event{ldd}},
		{name: "loader alone", events: []*pb.Event{exec(ld, "ld.so")}},
		{name: "ordinary program", events: []*pb.Event{exec("/usr/bin/ls", "ls", "/tmp")}},
	})
}
