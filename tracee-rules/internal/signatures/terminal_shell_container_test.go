package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

func TestTerminalShellInContainer(t *testing.T) {
	execFrom := func(prev, path string, argv ...string) *pb.Event {
		e := exec(path, argv...)
		e.Args = append(e.Args, sarg("prev_comm", prev))
		return e
	}
	runCases(t, func() sdkSig { return NewTerminalShellInContainer() }, []sigCase{
		{name: "docker exec sh", events: []*pb.Event{ctr(execFrom("runc:[2:INIT]", "/bin/sh", "sh"))},
			want: []wantFinding{{0, map[string]any{"shell": "sh", "argv": []string{"sh"}, "prev_comm": "runc:[2:INIT]"}}}},
		{name: "login bash", events: []*pb.Event{ctr(execFrom("runc:[2:INIT]", "/bin/bash", "bash", "-il"))},
			want: []wantFinding{{0, map[string]any{"shell": "bash", "argv": []string{"bash", "-il"}, "prev_comm": "runc:[2:INIT]"}}}},
		{name: "entrypoint script", events: []*pb.Event{ctr(execFrom("runc:[2:INIT]", "/bin/sh", "sh", "/entrypoint.sh"))}},
		{name: "sh -c command", events: []*pb.Event{ctr(execFrom("runc:[2:INIT]", "/bin/sh", "/bin/sh", "-ec", "exec app"))}},
		{name: "shell from the workload", events: []*pb.Event{ctr(execFrom("python3", "/bin/sh", "sh"))}},
		{name: "on the host", events: []*pb.Event{execFrom("runc:[2:INIT]", "/bin/sh", "sh")}},
		{name: "not a shell", events: []*pb.Event{ctr(execFrom("runc:[2:INIT]", "/app/server", "server"))}},
	})
}
