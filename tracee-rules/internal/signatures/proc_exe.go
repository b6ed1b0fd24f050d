package signatures

import (
	"strings"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// maxTrackedProcs bounds procExe; past it the oldest generation is dropped
// (processes then fall back to their name).
const maxTrackedProcs = 1 << 15

// procExe remembers the program each process runs (by host pid), from its
// exec or its parent's, so that a signature can trust a process by the file
// it executed rather than by a name it can choose. Two generations keep it
// bounded without a per-event cost.
type procExe struct {
	cur, old map[int32]string
}

// events procExe needs besides the signature's own.
var procExeEvents = []string{"sched_process_exec", "sched_process_fork", "sched_process_exit"}

func (p *procExe) init() { p.cur, p.old = map[int32]string{}, map[int32]string{} }

// observe updates the table from a process life-cycle event and reports
// whether ev was one.
func (p *procExe) observe(ev *pb.Event) bool {
	switch ev.GetEventName() {
	case "sched_process_exec":
		// a script is known by its own path (cmdpath, when absolute), not by
		// its interpreter's
		// (the kernel's interp differs from the command path only for
		// scripts and binfmt_misc, where pathname is the interpreter)
		path, _ := sdk.ArgString(ev, "pathname")
		cmd, _ := sdk.ArgString(ev, "cmdpath")
		if interp, _ := sdk.ArgString(ev, "interp"); strings.HasPrefix(cmd, "/") && interp != "" && interp != cmd {
			path = cmd
		}
		if path != "" {
			p.set(ev.GetHostProcessId(), path)
		}
	case "sched_process_fork":
		parent, _ := sdk.ArgInt(ev, "parent_pid")
		child, _ := sdk.ArgInt(ev, "child_pid")
		if exe, ok := p.get(int32(parent)); ok && child != parent {
			p.set(int32(child), exe)
		}
	case "sched_process_exit":
		if g, _ := sdk.ArgBool(ev, "process_group_exit"); g {
			delete(p.cur, ev.GetHostProcessId())
			delete(p.old, ev.GetHostProcessId())
		}
	default:
		return false
	}
	return true
}

func (p *procExe) set(pid int32, exe string) {
	if len(p.cur) >= maxTrackedProcs {
		p.old, p.cur = p.cur, map[int32]string{}
	}
	p.cur[pid] = exe
}

func (p *procExe) get(pid int32) (string, bool) {
	if exe, ok := p.cur[pid]; ok {
		return exe, true
	}
	exe, ok := p.old[pid]
	return exe, ok
}

// trusted reports whether the event's process runs one of the programs
// (absolute paths), or, for a process started before the stream (no exec
// seen), whether its name is one of names.
func (p *procExe) trusted(ev *pb.Event, programs, names map[string]bool) bool {
	if exe, ok := p.get(ev.GetHostProcessId()); ok {
		return programs[exe]
	}
	return names[ev.GetProcessName()]
}
