package signatures

import (
	"sort"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// ProcMemAccess (TRC-1023) reports a process reading another process's
// memory: /proc/PID/mem (or /proc/PID/task/TID/mem) opened read-only, or
// process_vm_readv, the system call that does the same without a file:
// credential theft from a running process. Write access is code injection
// (TRC-3, aliases TRC-1024/TRC-1025), reported there. A debugger reading
// the program it started and traces (strace, gdb's run: see debuggees) is
// not reported; one that attached to a process it did not start is.
type ProcMemAccess struct {
	fileWatch
	debuggees debuggees
}

// NewProcMemAccess returns TRC-1023.
func NewProcMemAccess() *ProcMemAccess {
	s := &ProcMemAccess{fileWatch: newFileWatch(sdk.Metadata{
		ID:             "TRC-1023",
		Name:           "Process memory access detected",
		Description:    "Process memory access detected. Adversaries may access other processes memory to steal credentials and secrets.",
		Severity:       sdk.SeverityHigh,
		MitreCategory:  "Credential Access",
		MitreTechnique: "T1003.007 OS Credential Dumping: Proc Filesystem",
	}, accessAny, false, func(p string) bool { _, ok := procPidFile(p, "mem"); return ok }, "process_vm_readv").paths("/proc/*").paths("*/mem").regular()}
	s.events = append(s.events, debuggeeEvents...)
	sort.SliceStable(s.events, func(i, j int) bool { return s.events[i].Name < s.events[j].Name })
	s.allow = func(ev *pb.Event) bool {
		// only reads, and not of the process's own memory (its pid or a
		// thread's, in the namespace of the /proc it opened, or the host's)
		if openedForWrite(ev) {
			return true
		}
		p, _ := sdk.ArgString(ev, "pathname")
		id, _ := procPidFile(p, "mem")
		for _, own := range []int32{ev.GetProcessId(), ev.GetThreadId(), ev.GetHostProcessId(), ev.GetHostThreadId()} {
			if int32(id) == own {
				return true
			}
		}
		return s.debuggees.of(ev, int64(id))
	}
	return s
}

// Init implements sdk.Signature.
func (s *ProcMemAccess) Init(cb sdk.Callback) error {
	s.debuggees.init(true)
	return s.fileWatch.Init(cb)
}

// OnEvent implements sdk.Signature.
func (s *ProcMemAccess) OnEvent(ev *pb.Event) error {
	if s.debuggees.observe(ev) {
		return nil
	}
	if ev.GetEventName() != "process_vm_readv" {
		return s.fileWatch.OnEvent(ev)
	}
	pid, ok := sdk.ArgInt(ev, "pid")
	if !ok || pid <= 0 || pid == int64(ev.GetProcessId()) || (ev.GetProcessId() == 0 && pid == int64(ev.GetHostProcessId())) {
		return nil
	}
	if s.debuggees.of(ev, pid) {
		return nil
	}
	s.report(ev, map[string]any{"target pid": pid, "return value": ev.GetReturnValue()})
	return nil
}
