package signatures

import (
	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// DebugfsInContainer (FAL-008) reports debugfs, the ext2/3/4 file system
// debugger, run in a container: with the host's block device (a privileged
// container) it reads and writes any file of the host.
type DebugfsInContainer struct{ base }

// NewDebugfsInContainer returns FAL-008.
func NewDebugfsInContainer() *DebugfsInContainer {
	return &DebugfsInContainer{newBase(sdk.Metadata{
		ID:             "FAL-008",
		Name:           "Debugfs launched in container",
		Description:    "debugfs, the ext2/3/4 file system debugger, was run in a container. Given a host block device (privileged containers have them) it reads and writes any file of the host, bypassing the container's mount isolation.",
		Severity:       sdk.SeverityHigh,
		MitreCategory:  "Privilege Escalation",
		MitreTechnique: "T1611 Escape to Host",
		Properties:     map[string]any{"falco_rule": "Debugfs Launched in Privileged Container"},
	}, whole("sched_process_exec")...)}
}

// OnEvent implements sdk.Signature.
func (s *DebugfsInContainer) OnEvent(ev *pb.Event) error {
	if ev.GetEventName() != "sched_process_exec" || !inContainer(ev) || execBase(ev) != "debugfs" {
		return nil
	}
	argv, _ := sdk.ArgStrings(ev, "argv")
	p, _ := sdk.ArgString(ev, "pathname")
	s.report(ev, map[string]any{"pathname": p, "argv": argv})
	return nil
}
