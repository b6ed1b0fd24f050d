package signatures

import (
	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

const ptraceTraceme = 0

// tracemeWindow is how long (event time) a PTRACE_TRACEME may wait for the
// exec or the tracing parent that makes it a debugger's child.
const tracemeWindow = int64(1e9)

// maxPendingTraceme bounds the TRACEMEs held; beyond it the oldest is
// reported at once (never dropped).
const maxPendingTraceme = 4096

// AntiDebugging (TRC-2) reports a process asking to be traced by its parent
// (ptrace PTRACE_TRACEME) to keep a debugger out. A debugger starting its
// target does the same — the child TRACEMEs, then execs the program — and
// debuggers probe the kernel with children that TRACEME and are then
// driven by the parent's ptrace requests. So a TRACEME is held and reported
// only when neither follows: the thread's process does not exec and its
// parent issues no ptrace request on it before it exits, before a second
// TRACEME of the thread, or within tracemeWindow of event time (checked as
// events arrive; so on an idle host the finding waits for the next event),
// or at the end of the input. It works on events, not process names.
type AntiDebugging struct {
	base
	pending map[int32]*pb.Event // host tid -> its TRACEME
	order   []int32             // host tids by TRACEME time
}

// NewAntiDebugging returns TRC-2.
func NewAntiDebugging() *AntiDebugging {
	return &AntiDebugging{base: newBase(sdk.Metadata{
		ID:             "TRC-2",
		Name:           "Anti-Debugging",
		Description:    "A process used anti-debugging techniques to block a debugger. Malware uses anti-debugging to stay invisible and inhibit analysis of its behavior.",
		Severity:       sdk.SeverityHigh,
		MitreCategory:  "Defense Evasion",
		MitreTechnique: "T1622 Debugger Evasion",
	}, whole("ptrace", "sched_process_exec", "sched_process_exit")...)}
}

// Init implements sdk.Signature.
func (s *AntiDebugging) Init(cb sdk.Callback) error {
	s.pending, s.order = map[int32]*pb.Event{}, nil
	return s.base.Init(cb)
}

// OnEvent implements sdk.Signature.
func (s *AntiDebugging) OnEvent(ev *pb.Event) error {
	s.expire(ev.GetTimestamp())
	switch ev.GetEventName() {
	case "ptrace":
		if sdk.ArgIs(ev, "request", ptraceTraceme, "PTRACE_TRACEME") {
			tid := ev.GetHostThreadId()
			if old, ok := s.pending[tid]; ok {
				s.reportTraceme(tid, old)
			}
			s.pending[tid] = ev
			s.order = append(s.order, tid)
			if len(s.pending) > maxPendingTraceme {
				s.flushOldest()
			}
			return nil
		}
		// the parent driving its TRACEMEd child: a debugger
		target, ok := sdk.ArgInt(ev, "pid")
		if !ok {
			return nil
		}
		for tid, p := range s.pending {
			if p.GetHostParentProcessId() == ev.GetHostProcessId() &&
				(int64(p.GetThreadId()) == target || int64(tid) == target) {
				delete(s.pending, tid)
			}
		}
	case "sched_process_exec":
		for tid, p := range s.pending {
			if p.GetHostProcessId() == ev.GetHostProcessId() {
				delete(s.pending, tid)
			}
		}
	case "sched_process_exit":
		tid := ev.GetHostThreadId()
		if p, ok := s.pending[tid]; ok {
			s.reportTraceme(tid, p)
		}
	}
	return nil
}

// OnSignal implements sdk.Signature: at the end of the input every held
// TRACEME is reported.
func (s *AntiDebugging) OnSignal(sig sdk.Signal) error {
	if sig == sdk.SignalEndOfInput {
		for len(s.pending) > 0 {
			s.flushOldest()
		}
	}
	return nil
}

func (s *AntiDebugging) reportTraceme(tid int32, ev *pb.Event) {
	delete(s.pending, tid)
	s.report(ev, map[string]any{"ptrace request": "PTRACE_TRACEME"})
}

// flushOldest reports the oldest held TRACEME.
func (s *AntiDebugging) flushOldest() {
	for len(s.order) > 0 {
		tid := s.order[0]
		s.order = s.order[1:]
		if p, ok := s.pending[tid]; ok {
			s.reportTraceme(tid, p)
			return
		}
	}
}

// expire reports the TRACEMEs older than tracemeWindow at event time now.
func (s *AntiDebugging) expire(now int64) {
	for len(s.order) > 0 {
		tid := s.order[0]
		p, ok := s.pending[tid]
		if ok && now-p.GetTimestamp() < tracemeWindow {
			return
		}
		s.order = s.order[1:]
		if ok {
			s.reportTraceme(tid, p)
		}
	}
}
