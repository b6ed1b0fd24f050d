package signatures

import (
	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

const ptraceTraceme = 0

// AntiDebugging (TRC-2) reports a process asking to be traced by its parent
// (ptrace PTRACE_TRACEME), a common way to stop a debugger from attaching.
type AntiDebugging struct{ base }

// NewAntiDebugging returns TRC-2.
func NewAntiDebugging() *AntiDebugging {
	return &AntiDebugging{newBase(sdk.Metadata{
		ID:             "TRC-2",
		Name:           "Anti-Debugging",
		Description:    "A process used anti-debugging techniques to block a debugger. Malware uses anti-debugging to stay invisible and inhibit analysis of its behavior.",
		Severity:       sdk.SeverityHigh,
		MitreCategory:  "Defense Evasion",
		MitreTechnique: "T1622 Debugger Evasion",
	}, on("ptrace", "data.request=PTRACE_TRACEME"))}
}

// OnEvent implements sdk.Signature.
func (s *AntiDebugging) OnEvent(ev *pb.Event) error {
	if ev.GetEventName() != "ptrace" || !sdk.ArgIs(ev, "request", ptraceTraceme, "PTRACE_TRACEME") {
		return nil
	}
	s.report(ev, map[string]any{"ptrace request": "PTRACE_TRACEME"})
	return nil
}
