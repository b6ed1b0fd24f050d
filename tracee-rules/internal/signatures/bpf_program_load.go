package signatures

import (
	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

const bpfProgLoad = 5

// BPFProgramLoad (FAL-010) reports a BPF program loaded into the kernel
// (bpf(BPF_PROG_LOAD) that succeeded). tracee-ebpf does not trace itself, so
// every load seen is another process's: BPF programs can read any memory,
// hide activity and tamper with the network.
type BPFProgramLoad struct{ base }

// NewBPFProgramLoad returns FAL-010.
func NewBPFProgramLoad() *BPFProgramLoad {
	return &BPFProgramLoad{newBase(sdk.Metadata{
		ID:             "FAL-010",
		Name:           "BPF program loaded",
		Description:    "A process other than the tracer loaded a BPF program into the kernel. BPF programs read kernel and process memory, hook system calls and network traffic; rootkits use them to hide and to steal data.",
		Severity:       sdk.SeverityMedium,
		MitreCategory:  "Persistence",
		MitreTechnique: "T1547.006 Boot or Logon Autostart Execution: Kernel Modules and Extensions",
		Properties:     map[string]any{"falco_rule": "BPF Program Not Profiled"},
	}, whole("bpf")...)}
}

// OnEvent implements sdk.Signature.
func (s *BPFProgramLoad) OnEvent(ev *pb.Event) error {
	if ev.GetEventName() != "bpf" || ev.GetReturnValue() < 0 || !sdk.ArgIs(ev, "cmd", bpfProgLoad, "BPF_PROG_LOAD") {
		return nil
	}
	s.report(ev, map[string]any{"cmd": "BPF_PROG_LOAD", "prog fd": ev.GetReturnValue()})
	return nil
}
