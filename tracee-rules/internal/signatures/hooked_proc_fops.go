package signatures

import (
	"strconv"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// procFopsAddrArgs are hooked_proc_fops' arguments holding the addresses
// found, reported with the finding.
var procFopsAddrArgs = []string{"proc_root_iterate_shared", "proc_root_lookup", "proc_pid_iterate_shared", "proc_pid_lookup"}

// HookedProcFops (TRC-1020) reports hooked_proc_fops: tracee-ebpf found a
// readdir or lookup operation of /proc or /proc/PID pointing elsewhere than
// the kernel function kallsyms names for it (a process-hiding rootkit).
type HookedProcFops struct{ base }

// NewHookedProcFops returns TRC-1020.
func NewHookedProcFops() *HookedProcFops {
	return &HookedProcFops{newBase(sdk.Metadata{
		ID:   "TRC-1020",
		Name: "File operations hooking on proc filesystem detected",
		Description: "File operations hooking on proc filesystem detected. The proc filesystem is an interface for the running processes as files. " +
			"This allows programs like `ps` and `top` to check what are the running processes. File operations are the functions defined on a file or directory. " +
			"By hooking the file operations of /proc (listing a directory, looking a name up) an adversary can hide processes from every tool that lists them. " +
			"File operation hooking is performed by rootkits and indicates that the host's kernel has been compromised.",
		Severity:       sdk.SeverityHigh,
		MitreCategory:  "Defense Evasion",
		MitreTechnique: "T1014 Rootkit",
	}, whole("hooked_proc_fops")...)}
}

// OnEvent reports every hooked_proc_fops that names a hooked pointer.
func (s *HookedProcFops) OnEvent(ev *pb.Event) error {
	if ev.GetEventName() != "hooked_proc_fops" {
		return nil
	}
	hooked, _ := sdk.ArgString(ev, "hooked")
	if bits, ok := sdk.ArgUint(ev, "hooked"); ok && hooked == "" && bits != 0 {
		hooked = "0x" + strconv.FormatUint(bits, 16)
	}
	if hooked == "" {
		return nil
	}
	data := map[string]any{"hooked": hooked}
	for _, name := range procFopsAddrArgs {
		if a, ok := sdk.ArgUint(ev, name); ok {
			data[name] = "0x" + strconv.FormatUint(a, 16)
		}
	}
	s.report(ev, data)
	return nil
}
