package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

func TestIllegitimateShell(t *testing.T) {
	execFrom := func(prev, path string, argv ...string) *pb.Event {
		e := exec(path, argv...)
		e.Args = append(e.Args, sarg("prev_comm", prev))
		return e
	}
	runCases(t, func() sdkSig { return NewIllegitimateShell() }, []sigCase{
		{name: "nginx runs sh", events: []*pb.Event{execFrom("nginx", "/usr/bin/dash", "sh", "-c", "id")},
			want: []wantFinding{{0, map[string]any{"web server": "nginx", "shell": "dash", "argv": []string{"sh", "-c", "id"}}}}},
		{name: "php-fpm worker runs bash", events: []*pb.Event{ctr(execFrom("php-fpm8.2", "/bin/bash", "bash", "-i"))},
			want: []wantFinding{{0, map[string]any{"web server": "php-fpm8.2", "shell": "bash", "argv": []string{"bash", "-i"}}}}},
		{name: "tomcat thread", events: []*pb.Event{execFrom("http-nio-8080-e", "/bin/sh", "sh")},
			want: []wantFinding{{0, map[string]any{"web server": "http-nio-8080-e", "shell": "sh", "argv": []string{"sh"}}}}},
		{name: "nginx runs a helper", events: []*pb.Event{execFrom("nginx", "/usr/bin/logger", "logger")}},
		{name: "shell runs a shell", events: []*pb.Event{execFrom("bash", "/bin/sh", "sh")}},
		{name: "no prev_comm", events: []*pb.Event{exec("/bin/sh", "sh")}},
	})
}
