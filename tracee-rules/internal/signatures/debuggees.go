package signatures

import (
	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// ptrace requests that make the caller (or, TRACEME, the caller's parent)
// a process's tracer.
const (
	ptraceAttach = 16
	ptraceSeize  = 0x4206
)

// maxDebuggees bounds the processes (forks and tracees) debuggees remembers.
const maxDebuggees = 65536

// debuggeeEvents are the events debuggees learns from: the ptrace requests
// that start tracing (successful), and forks and exits.
var debuggeeEvents = []sdk.SelectedEvent{
	on("ptrace", "data.request=PTRACE_TRACEME,PTRACE_ATTACH,PTRACE_SEIZE", "retval=0"),
	on("sched_process_fork"), on("sched_process_exit"),
}

// debuggees knows, from the event stream, which processes a debugger
// started and traces: a debugger reading or changing their memory is doing
// its job. A process is its tracer's debuggee when it asked its parent to
// trace it (PTRACE_TRACEME: gdb's run), when (attach set) its tracer
// attached to it (PTRACE_ATTACH/SEIZE) and it descends from the tracer
// (strace starting its command), or when a debuggee forked it (strace -f;
// the tracer may not have asked to follow forks: it still started it).
// Attaching to a process one did not start (gdb -p, strace -p) makes no
// debuggee: a debugger attach and credential theft look the same.
type debuggees struct {
	attach bool // PTRACE_ATTACH/SEIZE of a descendant makes a debuggee

	parent map[int32]int32    // host pid -> host pid of its parent (forks seen)
	tracer map[int32]int32    // host pid of a debuggee -> host pid of its tracer
	named  map[[2]int32]int32 // {tracer, debuggee's pid as the tracer names it} -> debuggee's host pid
	names  map[int32][]int32  // debuggee's host pid -> its pids in named
}

func (d *debuggees) init(attach bool) {
	d.attach = attach
	d.parent = map[int32]int32{}
	d.tracer = map[int32]int32{}
	d.named = map[[2]int32]int32{}
	d.names = map[int32][]int32{}
}

// observe updates the state from an event; it reports whether the event
// was one only debuggees needs (a fork or an exit; ptrace requests go on
// to the signature).
func (d *debuggees) observe(ev *pb.Event) bool {
	switch ev.GetEventName() {
	case "sched_process_fork":
		parent, _ := sdk.ArgInt(ev, "parent_pid")
		child, _ := sdk.ArgInt(ev, "child_pid")
		if child == 0 || child == parent || len(d.parent) >= maxDebuggees {
			return true // a thread
		}
		d.parent[int32(child)] = int32(parent)
		if t, ok := d.tracer[int32(parent)]; ok {
			nsChild, _ := sdk.ArgInt(ev, "child_ns_pid")
			d.add(t, int32(child), int32(nsChild))
		}
	case "sched_process_exit":
		if group, _ := sdk.ArgBool(ev, "process_group_exit"); group {
			d.forget(ev.GetHostProcessId())
		}
	case "ptrace":
		if rv := ev.GetReturnValue(); rv != 0 {
			return false
		}
		switch {
		case sdk.ArgIs(ev, "request", ptraceTraceme, "PTRACE_TRACEME"):
			d.add(ev.GetHostParentProcessId(), ev.GetHostProcessId(), ev.GetProcessId())
		case sdk.ArgIs(ev, "request", ptraceAttach, "PTRACE_ATTACH"), sdk.ArgIs(ev, "request", ptraceSeize, "PTRACE_SEIZE"):
			pid, ok := sdk.ArgInt(ev, "pid")
			host := ev.GetHostProcessId()
			// the pid is in the tracer's namespace: a host pid only when
			// the tracer is in the host's
			if d.attach && ok && ev.GetProcessId() == host && d.descends(int32(pid), host) {
				d.add(host, int32(pid), int32(pid))
			}
		}
		return false
	default:
		return false
	}
	return true
}

// descends reports whether pid descends from ancestor (forks seen).
func (d *debuggees) descends(pid, ancestor int32) bool {
	for range 64 {
		p, ok := d.parent[pid]
		if !ok {
			return false
		}
		if p == ancestor {
			return true
		}
		pid = p
	}
	return false
}

func (d *debuggees) add(tracer, host, nsPid int32) {
	if tracer == 0 || host == 0 {
		return
	}
	if _, ok := d.tracer[host]; !ok && len(d.tracer) >= maxDebuggees {
		return
	}
	d.tracer[host] = tracer
	for _, n := range []int32{host, nsPid} {
		if n != 0 {
			d.named[[2]int32{tracer, n}] = host
			d.names[host] = append(d.names[host], n)
		}
	}
}

func (d *debuggees) forget(host int32) {
	delete(d.parent, host)
	if t, ok := d.tracer[host]; ok {
		for _, n := range d.names[host] {
			delete(d.named, [2]int32{t, n})
		}
		delete(d.tracer, host)
		delete(d.names, host)
	}
}

// of reports whether pid (as the event's process names it) is a debuggee
// of the event's process.
func (d *debuggees) of(ev *pb.Event, pid int64) bool {
	me := ev.GetHostProcessId()
	host, ok := d.named[[2]int32{me, int32(pid)}]
	return ok && d.tracer[host] == me
}
