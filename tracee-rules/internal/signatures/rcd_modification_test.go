package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

func TestRcdModification(t *testing.T) {
	runCases(t, func() sdkSig { return NewRcdModification() }, []sigCase{
		{name: "rc.local written", events: []*pb.Event{open("/etc/rc.local", 0o2001, "O_WRONLY|O_APPEND")},
			want: []wantFinding{{0, map[string]any{"pathname": "/etc/rc.local", "flags": "O_WRONLY|O_APPEND"}}}},
		{name: "init script created", events: []*pb.Event{open("/etc/init.d/evil", 0o101, "O_WRONLY|O_CREAT")},
			want: []wantFinding{{0, map[string]any{"pathname": "/etc/init.d/evil", "flags": "O_WRONLY|O_CREAT"}}}},
		{name: "runlevel link dir", events: []*pb.Event{open("/etc/rc2.d/S01evil", 0o101, "O_WRONLY|O_CREAT")},
			want: []wantFinding{{0, map[string]any{"pathname": "/etc/rc2.d/S01evil", "flags": "O_WRONLY|O_CREAT"}}}},
		{name: "update-rc.d run", events: []*pb.Event{exec("/usr/sbin/update-rc.d", "update-rc.d", "evil", "defaults")},
			want: []wantFinding{{0, map[string]any{"command": "update-rc.d", "argv": []string{"update-rc.d", "evil", "defaults"}}}}},
		{name: "update-rc.d is a perl script", events: []*pb.Event{func() *pb.Event {
			e := exec("/usr/sbin/update-rc.d", "/usr/sbin/update-rc.d", "x", "defaults")
			e.Args[1] = sarg("pathname", "/usr/bin/perl")
			e.Args = append(e.Args, sarg("interp", "/usr/bin/perl"))
			return e
		}()}, want: []wantFinding{{0, map[string]any{"command": "update-rc.d", "argv": []string{"/usr/sbin/update-rc.d", "x", "defaults"}}}}},
		{name: "perl running something else", events: []*pb.Event{func() *pb.Event {
			e := exec("/usr/bin/perl", "perl", "update-rc.d")
			e.Args = append(e.Args, sarg("interp", "/usr/bin/perl"))
			return e
		}()}},
		{name: "renamed into init.d", events: []*pb.Event{ren("/tmp/s", "/etc/init.d/s")},
			want: []wantFinding{{0, map[string]any{"old_path": "/tmp/s", "new_path": "/etc/init.d/s"}}}},
		{name: "init script read by service", events: []*pb.Event{open("/etc/init.d/cron", 0, "O_RDONLY")}},
		{name: "rcS.d.bak is not a runlevel dir", events: []*pb.Event{open("/etc/rcX.d/a", 1, "O_WRONLY")}},
		{name: "the init.d directory", events: []*pb.Event{open("/etc/init.d", 0o200000, "O_RDONLY|O_DIRECTORY")}},
		{name: "other program run", events: []*pb.Event{exec("/usr/sbin/service", "service", "cron", "start")}},
	})
}
