package signatures

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

func TestProcMemAccess(t *testing.T) {
	runCases(t, func() sdkSig { return NewProcMemAccess() }, []sigCase{
		{name: "other process read", events: []*pb.Event{open("/proc/2000/mem", 0, "O_RDONLY")},
			want: []wantFinding{{0, map[string]any{"pathname": "/proc/2000/mem", "flags": "O_RDONLY"}}}},
		{name: "thread of another process", events: []*pb.Event{open("/proc/2000/task/2001/mem", 0x80000, "O_RDONLY|O_CLOEXEC")},
			want: []wantFinding{{0, map[string]any{"pathname": "/proc/2000/task/2001/mem", "flags": "O_RDONLY|O_CLOEXEC"}}}},
		{name: "read-write is TRC-3's injection", events: []*pb.Event{open("/proc/2000/mem", 2, "O_RDWR")}},
		{name: "process_vm_readv of another process", events: []*pb.Event{ret(ev("process_vm_readv", iarg("pid", 2000), uarg("local_iov", 1), uarg("liovcnt", 1)), 64)},
			want: []wantFinding{{0, map[string]any{"target pid": int64(2000), "return value": int64(64)}}}},
		{name: "process_vm_readv of itself", events: []*pb.Event{ev("process_vm_readv", iarg("pid", 1000))}},
		{name: "own memory", events: []*pb.Event{open("/proc/1000/mem", 0, "O_RDONLY"), open("/proc/1000/task/1000/mem", 0, "O_RDONLY")}},
		{name: "write only is TRC-3's", events: []*pb.Event{open("/proc/2000/mem", 1, "O_WRONLY")}},
		{name: "maps is not memory", events: []*pb.Event{open("/proc/2000/maps", 0, "O_RDONLY")}},
		{name: "strace reads the command it started (fork, PTRACE_SEIZE, strace -f child)", events: []*pb.Event{
			fork(1000, 2000, 2000), seize(1000, 2000), vmRead(1000, 2000),
			in(fork(2000, 2001, 2001), 2000), vmRead(1000, 2001), open("/proc/2001/mem", 0, "O_RDONLY")}},
		{name: "gdb's run: the child asks its parent to trace it", events: []*pb.Event{
			fork(1000, 2000, 2000), tracemeOf(2000, 1000), vmRead(1000, 2000), open("/proc/2000/mem", 0, "O_RDONLY")}},
		{name: "a debuggee in a pid namespace, named by its namespace pid", events: []*pb.Event{
			fork(1000, 2000, 5), tracemeOf(2000, 1000), in(fork(2000, 2001, 6), 2000), vmRead(1000, 6)}},
		{name: "attach to a process it did not start is reported", events: []*pb.Event{
			seize(1000, 3000), vmRead(1000, 3000)},
			want: []wantFinding{{1, map[string]any{"target pid": int64(3000), "return value": int64(4096)}}}},
		{name: "its own child, not traced, is reported", events: []*pb.Event{
			fork(1000, 2000, 2000), vmRead(1000, 2000)},
			want: []wantFinding{{1, map[string]any{"target pid": int64(2000), "return value": int64(4096)}}}},
		{name: "a failed attach makes no debuggee", events: []*pb.Event{
			fork(1000, 2000, 2000), ret(seize(1000, 2000), -1), vmRead(1000, 2000)},
			want: []wantFinding{{2, map[string]any{"target pid": int64(2000), "return value": int64(4096)}}}},
		{name: "another process reading a debuggee is reported", events: []*pb.Event{
			fork(1000, 2000, 2000), seize(1000, 2000), in(vmRead(1000, 2000), 1500)},
			want: []wantFinding{{2, map[string]any{"target pid": int64(2000), "return value": int64(4096)}}}},
		{name: "the debuggee's exit ends it (pid reuse)", events: []*pb.Event{
			fork(1000, 2000, 2000), seize(1000, 2000), in(ev("sched_process_exit", barg("process_group_exit", true)), 2000), vmRead(1000, 2000)},
			want: []wantFinding{{3, map[string]any{"target pid": int64(2000), "return value": int64(4096)}}}},
		{name: "not a pid", events: []*pb.Event{open("/proc/self/mem", 0, "O_RDONLY"), open("/proc/x/task/1/mem", 0, "O_RDONLY")}},
	})
	if got, ok := procPidFile("/proc/7/task/9/mem", "mem"); !ok || got != 9 {
		t.Errorf("tid of a thread's mem = %d, %v; want 9", got, ok)
	}
}

// fork is parent forking child (host pid; nsPid in its namespace).
func fork(parent, child, nsPid int32) *pb.Event {
	return in(ev("sched_process_fork", iarg("parent_pid", int64(parent)), iarg("child_pid", int64(child)), iarg("child_ns_pid", int64(nsPid))), parent)
}

// seize is tracer's PTRACE_SEIZE of pid.
func seize(tracer, pid int32) *pb.Event {
	return in(ev("ptrace", flag("request", 0x4206, "PTRACE_SEIZE"), iarg("pid", int64(pid))), tracer)
}

// tracemeOf is pid's PTRACE_TRACEME (its parent: parent).
func tracemeOf(pid, parent int32) *pb.Event {
	e := in(ev("ptrace", flag("request", 0, "PTRACE_TRACEME"), iarg("pid", 0)), pid)
	e.HostParentProcessId = parent
	return e
}

// vmRead is reader's process_vm_readv of pid (4096 bytes read).
func vmRead(reader int32, pid int64) *pb.Event {
	return in(ret(ev("process_vm_readv", iarg("pid", pid), uarg("local_iov", 1), uarg("liovcnt", 1)), 4096), reader)
}
