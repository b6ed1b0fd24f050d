package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

func TestCodeInjection(t *testing.T) {
	open := func(path string, flags *pb.Argument) *pb.Event {
		return ev("security_file_open", sarg("pathname", path), flags, uarg("dev", 5), uarg("inode", 77), uarg("inode_mode", 0o100600))
	}
	runCases(t, func() sdk.Signature { return NewCodeInjection() }, []sigCase{
		{name: "ptrace poketext", events: []*pb.Event{ev("ptrace", flag("request", 4, "PTRACE_POKETEXT"), iarg("pid", 543))},
			want: []wantFinding{{0, map[string]any{"ptrace request": "PTRACE_POKETEXT", "target pid": int64(543)}}}},
		{name: "ptrace pokedata repr only", events: []*pb.Event{ev("ptrace", repr("request", "PTRACE_POKEDATA"), iarg("pid", 9))},
			want: []wantFinding{{0, map[string]any{"ptrace request": "PTRACE_POKEDATA", "target pid": int64(9)}}}},
		{name: "ptrace pokeuser numeric", events: []*pb.Event{ev("ptrace", iarg("request", 6), iarg("pid", 9))},
			want: []wantFinding{{0, map[string]any{"ptrace request": "PTRACE_POKEUSER", "target pid": int64(9)}}}},
		{name: "ptrace peekdata reads only", events: []*pb.Event{ev("ptrace", flag("request", 2, "PTRACE_PEEKDATA"), iarg("pid", 9))}},
		{name: "ptrace traceme", events: []*pb.Event{ev("ptrace", flag("request", 0, "PTRACE_TRACEME"))}},
		{name: "proc pid mem rdwr", events: []*pb.Event{open("/proc/543/mem", flag("flags", 2|0o100000, "O_RDWR|O_LARGEFILE"))},
			want: []wantFinding{{0, map[string]any{"pathname": "/proc/543/mem", "flags": "O_RDWR|O_LARGEFILE"}}}},
		{name: "proc self mem is one's own memory", events: []*pb.Event{open("/proc/self/mem", iarg("flags", 1))}},
		{name: "own pid mem is one's own memory", events: []*pb.Event{open("/proc/1000/mem", iarg("flags", 2))}},
		{name: "proc task mem repr only", events: []*pb.Event{open("/proc/543/task/544/mem", repr("flags", "O_WRONLY"))},
			want: []wantFinding{{0, map[string]any{"pathname": "/proc/543/task/544/mem", "flags": "O_WRONLY"}}}},
		{name: "proc mem read only", events: []*pb.Event{open("/proc/543/mem", flag("flags", 0, "O_RDONLY"))}},
		{name: "proc mem read only repr", events: []*pb.Event{open("/proc/543/mem", repr("flags", "O_RDONLY|O_CLOEXEC"))}},
		{name: "not procfs: /var/543/mem on ext4", events: []*pb.Event{withFS(open("/var/543/mem", iarg("flags", 2)), 0xef53, 0o100644)}},
		{name: "second procfs mount", events: []*pb.Event{withFS(open("/mnt/p/543/mem", iarg("flags", 2)), 0x9fa0, 0o100600)},
			want: []wantFinding{{0, map[string]any{"pathname": "/mnt/p/543/mem", "flags": int64(2)}}}},
		{name: "procfs directory named mem", events: []*pb.Event{withFS(open("/proc/543/mem", iarg("flags", 2)), 0x9fa0, 0o40555)}},
		{name: "not mem: /proc/543/memory", events: []*pb.Event{open("/proc/543/memory", iarg("flags", 2))}},
		{name: "not a pid: /proc/abc/mem", events: []*pb.Event{open("/proc/abc/mem", iarg("flags", 2))}},
		{name: "nested: /proc/543/mem/x", events: []*pb.Event{open("/proc/543/mem/x", iarg("flags", 2))}},
		{name: "bind mount of /proc: /x/proc/543/mem", events: []*pb.Event{open("/x/proc/543/mem", iarg("flags", 2))},
			want: []wantFinding{{0, map[string]any{"pathname": "/x/proc/543/mem", "flags": int64(2)}}}},
		{name: "io_uring open into a fixed-file slot", events: []*pb.Event{func() *pb.Event {
			e := withFS(open("/proc/543/mem", flag("flags", 2|0o100000, "O_RDWR|O_LARGEFILE")), 0x9fa0, 0o100600)
			e.IoUring = true
			return e
		}()}, want: []wantFinding{{0, map[string]any{"pathname": "/proc/543/mem", "flags": "O_RDWR|O_LARGEFILE"}}}},
		{name: "process_vm_writev to other", events: []*pb.Event{in(ev("process_vm_writev", iarg("pid", 2000), uarg("liovcnt", 1)), 1000)},
			want: []wantFinding{{0, map[string]any{"target pid": int64(2000)}}}},
		{name: "process_vm_writev to self", events: []*pb.Event{in(ev("process_vm_writev", iarg("pid", 1000)), 1000)}},
		{name: "process_vm_writev self in pid namespace", events: []*pb.Event{func() *pb.Event {
			e := ev("process_vm_writev", iarg("pid", 7))
			e.ProcessId, e.HostProcessId = 7, 4321
			return e
		}()}},
		{name: "process_vm_readv is not a write", events: []*pb.Event{ev("process_vm_readv", iarg("pid", 2000))}},
	})
}

func TestProcMemWho(t *testing.T) {
	for path, want := range map[string]string{
		"/proc/1/mem": "1", "/proc/self/mem": "self", "/proc/thread-self/mem": "thread-self", "/proc/12/task/13/mem": "12",
		"/proc/self/task/13/mem": "self", "/mnt/p/7/mem": "7", "/proc//mem": "", "/proc/mem": "", "/proc/1/task/mem": "",
		"/proc/1/task/x/mem": "", "/proc/thread-self/task/1/mem": "", "/proc/1/mem ": "", "proc/1/mem": "",
	} {
		if got, ok := procMemWho(path); got != want || ok != (want != "") {
			t.Errorf("procMemWho(%q) = %q, %v, want %q", path, got, ok, want)
		}
	}
}

func withFS(e *pb.Event, magic, mode uint64) *pb.Event {
	e.Args = append(e.Args, uarg("fs_magic", magic))
	return withMode(e, mode)
}

// Register hijacking, and a debugger writing into the program it started.
func TestCodeInjectionRoutes(t *testing.T) {
	traceme := func() *pb.Event { // pid 2000 (ns 7), child of 1000
		e := in(ev("ptrace", flag("request", 0, "PTRACE_TRACEME")), 2000)
		e.ProcessId, e.HostParentProcessId = 7, 1000
		return e
	}
	runCases(t, func() sdk.Signature { return NewCodeInjection() }, []sigCase{
		{name: "setregs", events: []*pb.Event{ev("ptrace", flag("request", 13, "PTRACE_SETREGS"), iarg("pid", 543))},
			want: []wantFinding{{0, map[string]any{"ptrace request": "PTRACE_SETREGS", "target pid": int64(543)}}}},
		{name: "setregset numeric", events: []*pb.Event{ev("ptrace", iarg("request", 0x4205), iarg("pid", 543))},
			want: []wantFinding{{0, map[string]any{"ptrace request": "PTRACE_SETREGSET", "target pid": int64(543)}}}},
		{name: "debugger pokes the program it started", events: []*pb.Event{traceme(), ev("ptrace", flag("request", 4, "PTRACE_POKETEXT"), iarg("pid", 7))}},
		{name: "debugger writes its program's mem", events: []*pb.Event{traceme(), ev("security_file_open", sarg("pathname", "/proc/2000/task/2000/mem"), iarg("flags", 2))}},
		{name: "another process pokes the debugged program", events: []*pb.Event{traceme(), in(ev("ptrace", flag("request", 4, "PTRACE_POKETEXT"), iarg("pid", 2000)), 3000)},
			want: []wantFinding{{1, map[string]any{"ptrace request": "PTRACE_POKETEXT", "target pid": int64(2000)}}}},
		{name: "gdb's run: registers of the program that asked to be traced, and of its forks", events: []*pb.Event{
			fork(1000, 2000, 2000), tracemeOf(2000, 1000), setregs(1000, 2000), in(fork(2000, 2001, 2001), 2000), setregs(1000, 2001)}},
		{name: "attach to its own child and write registers (hollowing a spawned program)", events: []*pb.Event{
			fork(1000, 2000, 2000), seize(1000, 2000), setregs(1000, 2000)},
			want: []wantFinding{{2, map[string]any{"ptrace request": "PTRACE_SETREGSET", "target pid": int64(2000)}}}},
		{name: "attach to a process it did not start, then write registers", events: []*pb.Event{seize(1000, 3000), setregs(1000, 3000)},
			want: []wantFinding{{1, map[string]any{"ptrace request": "PTRACE_SETREGSET", "target pid": int64(3000)}}}},
		{name: "after the program exits, its pid is another's", events: []*pb.Event{traceme(), in(ev("sched_process_exit", barg("process_group_exit", true)), 2000),
			ev("ptrace", flag("request", 4, "PTRACE_POKETEXT"), iarg("pid", 2000))},
			want: []wantFinding{{2, map[string]any{"ptrace request": "PTRACE_POKETEXT", "target pid": int64(2000)}}}},
	})
}

// setregs is tracer's PTRACE_SETREGSET on pid.
func setregs(tracer, pid int32) *pb.Event {
	return in(ev("ptrace", flag("request", 0x4205, "PTRACE_SETREGSET"), iarg("pid", int64(pid))), tracer)
}
