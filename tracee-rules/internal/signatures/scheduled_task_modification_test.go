package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

func TestScheduledTaskModification(t *testing.T) {
	runCases(t, func() sdkSig { return NewScheduledTaskModification() }, []sigCase{
		{name: "crontab file", events: []*pb.Event{open("/etc/crontab", 0o2001, "O_WRONLY|O_APPEND")},
			want: []wantFinding{{0, map[string]any{"pathname": "/etc/crontab", "flags": "O_WRONLY|O_APPEND"}}}},
		{name: "cron.d drop-in", events: []*pb.Event{open("/etc/cron.d/x", 0o101, "O_WRONLY|O_CREAT")},
			want: []wantFinding{{0, map[string]any{"pathname": "/etc/cron.d/x", "flags": "O_WRONLY|O_CREAT"}}}},
		{name: "user spool", events: []*pb.Event{open("/var/spool/cron/crontabs/root", 2, "O_RDWR")},
			want: []wantFinding{{0, map[string]any{"pathname": "/var/spool/cron/crontabs/root", "flags": "O_RDWR"}}}},
		{name: "systemd timer", events: []*pb.Event{open("/etc/systemd/system/evil.timer", 0o101, "O_WRONLY|O_CREAT")},
			want: []wantFinding{{0, map[string]any{"pathname": "/etc/systemd/system/evil.timer", "flags": "O_WRONLY|O_CREAT"}}}},
		{name: "user timer", events: []*pb.Event{open("/home/u/.config/systemd/user/x.timer", 1, "O_WRONLY")},
			want: []wantFinding{{0, map[string]any{"pathname": "/home/u/.config/systemd/user/x.timer", "flags": "O_WRONLY"}}}},
		{name: "crontab -e", events: []*pb.Event{exec("/usr/bin/crontab", "crontab", "-e")},
			want: []wantFinding{{0, map[string]any{"command": "crontab", "argv": []string{"crontab", "-e"}}}}},
		{name: "at", events: []*pb.Event{exec("/usr/bin/at", "at", "now")},
			want: []wantFinding{{0, map[string]any{"command": "at", "argv": []string{"at", "now"}}}}},
		{name: "linked into cron.d through a bind mount (watched_dir)", events: []*pb.Event{ev("security_inode_link", sarg("old_path", "/tmp/job"), sarg("new_path", "/mnt/c/job"), sarg("watched_dir", "/etc/cron.d"))},
			want: []wantFinding{{0, map[string]any{"old_path": "/tmp/job", "new_path": "/mnt/c/job", "canonical_path": "/etc/cron.d/job", "syscall": "security_inode_link"}}}},
		{name: "renamed into cron.d", events: []*pb.Event{ren("/tmp/job", "/etc/cron.d/job")},
			want: []wantFinding{{0, map[string]any{"old_path": "/tmp/job", "new_path": "/etc/cron.d/job"}}}},
		{name: "crontab -l only lists", events: []*pb.Event{exec("/usr/bin/crontab", "crontab", "-u", "root", "-l")}},
		{name: "cron daemon reads schedules", events: []*pb.Event{comm(open("/etc/cron.d/x", 0, "O_RDONLY"), "cron"), open("/var/spool/cron/crontabs", 0o200000, "O_RDONLY|O_DIRECTORY")}},
		{name: "timer elsewhere", events: []*pb.Event{open("/tmp/x.timer", 1, "O_WRONLY")}},
		{name: "service unit", events: []*pb.Event{open("/etc/systemd/system/x.service", 1, "O_WRONLY")}},
	})
}
