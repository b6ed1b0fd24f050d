package signatures

import (
	"strings"
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

func TestSensitiveFileRead(t *testing.T) {
	read := func(p string) *pb.Event { return open(p, 0, "O_RDONLY") }
	fork := func(parent, child int32) *pb.Event {
		return in(ev("sched_process_fork", iarg("parent_pid", int64(parent)), iarg("child_pid", int64(child))), parent)
	}
	exit := func(pid int32) *pb.Event {
		return in(ev("sched_process_exit", iarg("exit_code", 0), barg("process_group_exit", true)), pid)
	}
	script := func(path, interp string) *pb.Event {
		e := exec(path, path)
		e.Args[1] = sarg("pathname", interp) // the file the kernel runs
		e.Args = append(e.Args, sarg("interp", interp))
		return e
	}
	runCases(t, func() sdkSig { return NewSensitiveFileRead() }, []sigCase{
		{name: "cat shadow", events: []*pb.Event{exec("/usr/bin/cat", "cat", "/etc/shadow"), read("/etc/shadow")},
			want: []wantFinding{{1, map[string]any{"pathname": "/etc/shadow", "flags": "O_RDONLY"}}}},
		{name: "ssh host key", events: []*pb.Event{read("/etc/ssh/ssh_host_ed25519_key")},
			want: []wantFinding{{0, map[string]any{"pathname": "/etc/ssh/ssh_host_ed25519_key", "flags": "O_RDONLY"}}}},
		{name: "pam config in container", events: []*pb.Event{ctr(read("/etc/pam.d/common-auth"))},
			want: []wantFinding{{0, map[string]any{"pathname": "/etc/pam.d/common-auth", "flags": "O_RDONLY"}}}},
		{name: "program named sudo elsewhere is not trusted", events: []*pb.Event{exec("/tmp/sudo", "sudo"), comm(read("/etc/sudoers"), "sudo")},
			want: []wantFinding{{1, map[string]any{"pathname": "/etc/sudoers", "flags": "O_RDONLY"}}}},
		{name: "package manager script run by its interpreter", events: []*pb.Event{script("/usr/sbin/dpkg-preconfigure", "/usr/bin/perl"), comm(read("/etc/shadow"), "dpkg-preconfigu")}},
		{name: "the same interpreter running another script", events: []*pb.Event{script("/tmp/x.pl", "/usr/bin/perl"), comm(read("/etc/shadow"), "x.pl")},
			want: []wantFinding{{1, map[string]any{"pathname": "/etc/shadow", "flags": "O_RDONLY"}}}},
		{name: "real sudo", events: []*pb.Event{exec("/usr/bin/sudo", "sudo", "id"), comm(read("/etc/sudoers"), "sudo")}},
		{name: "sshd child inherits", events: []*pb.Event{exec("/usr/sbin/sshd", "sshd"), fork(1000, 1001), in(read("/etc/ssh/ssh_host_rsa_key"), 1001)}},
		{name: "cron daemon from before the stream", events: []*pb.Event{comm(read("/etc/pam.d/cron"), "cron")}},
		{name: "after exit the name decides again", events: []*pb.Event{exec("/usr/sbin/sshd", "sshd"), exit(1000), comm(read("/etc/shadow"), "sshd")}},
		{name: "public host key", events: []*pb.Event{read("/etc/ssh/ssh_host_rsa_key.pub"), read("/etc/passwd")}},
		{name: "written is not read", events: []*pb.Event{open("/etc/shadow", 1, "O_WRONLY")}},
	})
}

// The kernel filter must keep every file the signature reports: each path
// isSensitiveFile accepts matches one of the patterns (Tracee's exact,
// prefix* forms), and ordinary /etc reads match none.
func TestSensitiveFilePatternsCoverMatch(t *testing.T) {
	matches := func(p string) bool {
		for _, pat := range sensitiveFilePatterns {
			if pre, ok := strings.CutSuffix(pat, "*"); ok && strings.HasPrefix(p, pre) || p == pat {
				return true
			}
		}
		return false
	}
	for _, p := range []string{"/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/security/opasswd",
		"/etc/sudoers", "/etc/sudoers.d/90-cloud", "/etc/pam.d/common-auth", "/etc/ssh/ssh_host_ed25519_key",
		"/etc/passwd", "/etc/ld.so.cache", "/etc/hostname", "/etc/ssh/sshd_config", "/etc/ssh/ssh_host_rsa_key.pub",
		"/etc/pam.d/sub/x", "/etc/sudoers.d"} {
		if isSensitiveFile(p) && !matches(p) {
			t.Errorf("%s is reported but the kernel filter drops it", p)
		}
		if !isSensitiveFile(p) && matches(p) && !strings.HasPrefix(p, "/etc/ssh/ssh_host_") && !strings.HasPrefix(p, "/etc/pam.d/") {
			t.Errorf("%s passes the kernel filter for nothing", p)
		}
	}
}
