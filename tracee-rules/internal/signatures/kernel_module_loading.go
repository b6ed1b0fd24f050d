package signatures

import (
	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// KernelModuleLoading (TRC-6) reports every attempt to load a kernel module
// (init_module, finit_module), whatever its result.
type KernelModuleLoading struct{ base }

// NewKernelModuleLoading returns TRC-6.
func NewKernelModuleLoading() *KernelModuleLoading {
	return &KernelModuleLoading{newBase(sdk.Metadata{
		ID:             "TRC-6",
		Name:           "Kernel Module Loading",
		Description:    "An attempt to load a kernel module was detected. Adversaries may load kernel modules (rootkits) to run code with the highest privileges and to hide their activity.",
		Severity:       sdk.SeverityMedium,
		MitreCategory:  "Persistence",
		MitreTechnique: "T1547.006 Boot or Logon Autostart Execution: Kernel Modules and Extensions",
	}, on("init_module"), on("finit_module"))}
}

// OnEvent implements sdk.Signature.
func (s *KernelModuleLoading) OnEvent(ev *pb.Event) error {
	name := ev.GetEventName()
	if name != "init_module" && name != "finit_module" {
		return nil
	}
	data := map[string]any{"syscall": name, "return value": ev.GetReturnValue()}
	if p, ok := sdk.ArgString(ev, "param_values"); ok && p != "" {
		data["param_values"] = p
	}
	if fd, ok := sdk.ArgInt(ev, "fd"); ok && name == "finit_module" {
		data["fd"] = fd
	}
	if n, ok := sdk.ArgUint(ev, "len"); ok && name == "init_module" {
		data["len"] = n
	}
	s.report(ev, data)
	return nil
}
