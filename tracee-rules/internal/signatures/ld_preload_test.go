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
		return ev("security_file_open", sarg("pathname", path), flags, uarg("inode_mode", 0o100644))
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

// LD_AUDIT, the loader's own options, an inherited LD_LIBRARY_PATH, and
// every route to replacing /etc/ld.so.preload.
func TestLDPreloadRoutes(t *testing.T) {
	exec := func(pid, ppid int32, argv []string, env ...string) *pb.Event {
		e := in(ev("sched_process_exec", sarg("pathname", "/usr/bin/x"), strs("argv", argv...), strs("env", env...)), pid)
		e.HostParentProcessId = ppid
		return e
	}
	x := []string{"x"}
	runCases(t, func() sdk.Signature { return NewLDPreload() }, []sigCase{
		{name: "LD_PRELOAD past the captured env (ld_env)", events: []*pb.Event{ev("sched_process_exec", strs("env", "PATH=/bin", "PAD=xxxx"), strs("ld_env", "LD_PRELOAD=/tail.so"))},
			want: []wantFinding{{0, map[string]any{"LD_PRELOAD": "/tail.so"}}}},
		{name: "LD_AUDIT", events: []*pb.Event{exec(1, 0, x, "LD_AUDIT=/tmp/a.so")},
			want: []wantFinding{{0, map[string]any{"LD_AUDIT": "/tmp/a.so"}}}},
		{name: "ld.so --preload, any loader name", events: []*pb.Event{exec(1, 0, []string{"/tmp/copy-of-ld.so", "--library-path", "/opt", "--preload", "/tmp/e.so", "/bin/true"})},
			want: []wantFinding{{0, map[string]any{"loader --preload": "/tmp/e.so"}}}},
		{name: "ld.so --audit=", events: []*pb.Event{exec(1, 0, []string{"ld.so", "--audit=/tmp/a.so", "/bin/true"})},
			want: []wantFinding{{0, map[string]any{"loader --audit": "/tmp/a.so"}}}},
		{name: "program arguments are not loader options", events: []*pb.Event{exec(1, 0, []string{"ld.so", "/bin/prog", "--preload", "x"})}},
		{name: "LD_LIBRARY_PATH inherited unchanged from the parent", events: []*pb.Event{
			exec(10, 1, x, "LD_LIBRARY_PATH=/opt/lib"), exec(11, 10, x, "LD_LIBRARY_PATH=/opt/lib"), exec(11, 10, x, "LD_LIBRARY_PATH=/opt/lib")},
			want: []wantFinding{{0, map[string]any{"LD_LIBRARY_PATH": "/opt/lib"}}}},
		{name: "LD_LIBRARY_PATH changed by the child", events: []*pb.Event{
			exec(10, 1, x, "LD_LIBRARY_PATH=/opt/lib"), exec(11, 10, x, "LD_LIBRARY_PATH=/tmp/evil")},
			want: []wantFinding{{0, map[string]any{"LD_LIBRARY_PATH": "/opt/lib"}}, {1, map[string]any{"LD_LIBRARY_PATH": "/tmp/evil"}}}},
		{name: "LD_LIBRARY_PATH added before a re-exec (env VAR=... prog)", events: []*pb.Event{
			exec(10, 1, x), exec(10, 1, x, "LD_LIBRARY_PATH=/tmp/evil")},
			want: []wantFinding{{1, map[string]any{"LD_LIBRARY_PATH": "/tmp/evil"}}}},
		{name: "containerd's library directory for its shims", events: []*pb.Event{exec(10, 1, x, "LD_LIBRARY_PATH=/opt/containerd/lib:")}},
		{name: "containerd's directory plus another", events: []*pb.Event{exec(10, 1, x, "LD_LIBRARY_PATH=/opt/containerd/lib:/tmp/x")},
			want: []wantFinding{{0, map[string]any{"LD_LIBRARY_PATH": "/opt/containerd/lib:/tmp/x"}}}},
		{name: "inherited LD_PRELOAD still fires", events: []*pb.Event{
			exec(10, 1, x, "LD_PRELOAD=/e.so"), exec(11, 10, x, "LD_PRELOAD=/e.so")},
			want: []wantFinding{{0, map[string]any{"LD_PRELOAD": "/e.so"}}, {1, map[string]any{"LD_PRELOAD": "/e.so"}}}},
		{name: "ld.so.preload through a bind mount of /etc (watched_dir)", events: []*pb.Event{ev("security_file_open", sarg("pathname", "/mnt/etc/ld.so.preload"), iarg("flags", 1), sarg("watched_dir", "/etc"), uarg("inode_mode", 0o100644))},
			want: []wantFinding{{0, map[string]any{"pathname": "/mnt/etc/ld.so.preload", "flags": int64(1)}}}},
		{name: "ld.so.preload in another watched dir", events: []*pb.Event{ev("security_file_open", sarg("pathname", "/etc/ssh/ld.so.preload"), iarg("flags", 1), sarg("watched_dir", "/etc/ssh"))}},
		{name: "hard link onto ld.so.preload", events: []*pb.Event{ev("security_inode_link", sarg("old_path", "/tmp/p"), sarg("new_path", "/etc//ld.so.preload"))},
			want: []wantFinding{{0, map[string]any{"pathname": "/etc/ld.so.preload", "syscall": "security_inode_link", "source": "/tmp/p"}}}},
		{name: "symlink as ld.so.preload", events: []*pb.Event{ev("security_inode_symlink", sarg("linkpath", "/etc/ld.so.preload"), sarg("target", "/tmp/p"))},
			want: []wantFinding{{0, map[string]any{"pathname": "/etc/ld.so.preload", "syscall": "security_inode_symlink", "source": "/tmp/p"}}}},
		{name: "rename onto it (mv)", events: []*pb.Event{ren("/tmp/p", "/etc/ld.so.preload")},
			want: []wantFinding{{0, map[string]any{"pathname": "/etc/ld.so.preload", "syscall": "security_inode_rename", "source": "/tmp/p"}}}},
		{name: "renameat in /etc (sed -i): absolute from the cwd", events: []*pb.Event{ren("/etc/sedAbC", "/etc/ld.so.preload")},
			want: []wantFinding{{0, map[string]any{"pathname": "/etc/ld.so.preload", "syscall": "security_inode_rename", "source": "/etc/sedAbC"}}}},
		{name: "rename through a bind mount of /etc (watched_dir)", events: []*pb.Event{withArgs(ren("/tmp/b/x", "/tmp/b/ld.so.preload"), sarg("watched_dir", "/etc"))},
			want: []wantFinding{{0, map[string]any{"pathname": "/etc/ld.so.preload", "syscall": "security_inode_rename", "source": "/tmp/b/x", "path used": "/tmp/b/ld.so.preload"}}}},
		{name: "link through a dirfd, spelt with ./ (watched_dir)", events: []*pb.Event{ev("security_inode_link", sarg("old_path", "/tmp/p"), sarg("new_path", "/proc/7/cwd/./ld.so.preload"), sarg("watched_dir", "/etc"))},
			want: []wantFinding{{0, map[string]any{"pathname": "/etc/ld.so.preload", "syscall": "security_inode_link", "source": "/tmp/p", "path used": "/proc/7/cwd/./ld.so.preload"}}}},
		{name: "symlink into a directory the kernel could not identify", events: []*pb.Event{ev("security_inode_symlink", sarg("linkpath", "/tmp/l/ld.so.preload"), sarg("target", "/tmp/p"), barg("dir_unresolved", true))},
			want: []wantFinding{{0, map[string]any{"pathname": "/etc/ld.so.preload", "syscall": "security_inode_symlink", "source": "/tmp/p", "path used": "/tmp/l/ld.so.preload", "dir_unresolved": true}}}},
		{name: "rename onto ld.so.preload elsewhere", events: []*pb.Event{ren("/tmp/p", "/tmp/ld.so.preload"), withArgs(ren("/tmp/p", "/srv/ld.so.preload"), sarg("watched_dir", "/etc/ssh"))}},
		{name: "other renames", events: []*pb.Event{ren("/etc/ld.so.preload", "/etc/ld.so.preload.bak")}},
		{name: "io_uring rename onto it", events: []*pb.Event{func() *pb.Event {
			e := ev("security_inode_rename", sarg("old_path", "/etc/ld.so.preload.x"), sarg("new_path", "/etc/ld.so.preload"))
			e.IoUring = true
			return e
		}()}, want: []wantFinding{{0, map[string]any{"pathname": ldSoPreload, "syscall": "io_uring renameat", "source": "/etc/ld.so.preload.x"}}}},
		{name: "io_uring open into a fixed-file slot", events: []*pb.Event{func() *pb.Event {
			e := ev("security_file_open", sarg("pathname", ldSoPreload), iarg("flags", 1025), sarg("watched_dir", "/etc"), uarg("inode_mode", 0o100644))
			e.IoUring = true
			return e
		}()}, want: []wantFinding{{0, map[string]any{"pathname": ldSoPreload, "flags": int64(1025)}}}},
		{name: "io_uring write at offset 0 (fd opened elsewhere)", events: []*pb.Event{func() *pb.Event {
			e := ev("magic_write", sarg("pathname", ldSoPreload), sdkBytes("bytes", []byte("/tmp/x.so\n")))
			e.IoUring = true
			return e
		}()}, want: []wantFinding{{0, map[string]any{"pathname": ldSoPreload}}}},
		{name: "open for write, then a write much later: two actions", events: []*pb.Event{
			ev("security_file_open", sarg("pathname", ldSoPreload), iarg("flags", 1), uarg("inode_mode", 0o100644)),
			func() *pb.Event { e := ev("magic_write", sarg("pathname", ldSoPreload)); e.Timestamp += 5e9; return e }()},
			want: []wantFinding{{0, map[string]any{"pathname": ldSoPreload, "flags": int64(1)}}, {1, map[string]any{"pathname": ldSoPreload}}}},
	})
}

// withArgs appends arguments to an event.
func withArgs(e *pb.Event, args ...*pb.Argument) *pb.Event {
	e.Args = append(e.Args, args...)
	return e
}
