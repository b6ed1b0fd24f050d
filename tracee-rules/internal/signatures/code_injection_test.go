package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

func TestCodeInjection(t *testing.T) {
	open := func(path string, flags *pb.Argument) *pb.Event {
		return ev("security_file_open", sarg("pathname", path), flags, uarg("dev", 5), uarg("inode", 77))
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
		{name: "proc self mem wronly numeric", events: []*pb.Event{open("/proc/self/mem", iarg("flags", 1))},
			want: []wantFinding{{0, map[string]any{"pathname": "/proc/self/mem", "flags": int64(1)}}}},
		{name: "proc task mem repr only", events: []*pb.Event{open("/proc/543/task/544/mem", repr("flags", "O_WRONLY"))},
			want: []wantFinding{{0, map[string]any{"pathname": "/proc/543/task/544/mem", "flags": "O_WRONLY"}}}},
		{name: "proc mem read only", events: []*pb.Event{open("/proc/543/mem", flag("flags", 0, "O_RDONLY"))}},
		{name: "proc mem read only repr", events: []*pb.Event{open("/proc/543/mem", repr("flags", "O_RDONLY|O_CLOEXEC"))}},
		{name: "not proc: /var/543/mem", events: []*pb.Event{open("/var/543/mem", iarg("flags", 2))}},
		{name: "not mem: /proc/543/memory", events: []*pb.Event{open("/proc/543/memory", iarg("flags", 2))}},
		{name: "not a pid: /proc/abc/mem", events: []*pb.Event{open("/proc/abc/mem", iarg("flags", 2))}},
		{name: "nested: /proc/543/mem/x", events: []*pb.Event{open("/proc/543/mem/x", iarg("flags", 2))}},
		{name: "prefix: /x/proc/543/mem", events: []*pb.Event{open("/x/proc/543/mem", iarg("flags", 2))}},
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

func TestIsProcMem(t *testing.T) {
	for path, want := range map[string]bool{
		"/proc/1/mem": true, "/proc/self/mem": true, "/proc/thread-self/mem": true, "/proc/12/task/13/mem": true,
		"/proc/self/task/13/mem": true, "/proc//mem": false, "/proc/mem": false, "/proc/1/task/mem": false,
		"/proc/1/task/x/mem": false, "/proc/thread-self/task/1/mem": false, "/proc/1/mem ": false, "proc/1/mem": false,
	} {
		if got := isProcMem(path); got != want {
			t.Errorf("isProcMem(%q) = %v, want %v", path, got, want)
		}
	}
}
