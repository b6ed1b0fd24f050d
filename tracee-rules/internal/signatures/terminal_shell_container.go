package signatures

import (
	"strings"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// isRuntimeComm reports whether comm is a container runtime process that
// execs a container's first program (docker run, docker exec): runc's init
// stages, crun, containerd's shim.
func isRuntimeComm(comm string) bool {
	return strings.HasPrefix(comm, "runc") || comm == "crun" || strings.HasPrefix(comm, "containerd-shim") || comm == "conmon"
}

// interactiveShell reports whether argv starts a shell reading commands from
// its input: no -c, no script operand (options only: -i, -l, --login, ...).
func interactiveShell(argv []string) bool {
	for _, a := range argv[min(1, len(argv)):] {
		if !strings.HasPrefix(a, "-") || a == "-" || a == "--" {
			return false // a script operand or end of options followed by one
		}
		if !strings.HasPrefix(a, "--") && strings.ContainsRune(a, 'c') {
			return false
		}
	}
	return true
}

// TerminalShellInContainer (FAL-002) reports an interactive shell started in
// a container by the container runtime (docker exec -it ... sh, docker run
// -it ... sh): someone working inside the container by hand.
type TerminalShellInContainer struct{ base }

// NewTerminalShellInContainer returns FAL-002.
func NewTerminalShellInContainer() *TerminalShellInContainer {
	return &TerminalShellInContainer{newBase(sdk.Metadata{
		ID:             "FAL-002",
		Name:           "Terminal shell in container",
		Description:    "An interactive shell was started in a container by the container runtime (docker exec or run with a terminal). Containers run their workload unattended; a shell opened into one may be an adversary working inside it.",
		Severity:       sdk.SeverityLow,
		MitreCategory:  "Execution",
		MitreTechnique: "T1059.004 Command and Scripting Interpreter: Unix Shell",
		Properties:     map[string]any{"falco_rule": "Terminal shell in container"},
	}, whole("sched_process_exec")...)}
}

// OnEvent implements sdk.Signature.
func (s *TerminalShellInContainer) OnEvent(ev *pb.Event) error {
	if ev.GetEventName() != "sched_process_exec" || !inContainer(ev) {
		return nil
	}
	sh := execBase(ev)
	if !shells[sh] {
		return nil
	}
	prev, _ := sdk.ArgString(ev, "prev_comm")
	if !isRuntimeComm(prev) {
		return nil
	}
	argv, _ := sdk.ArgStrings(ev, "argv")
	if !interactiveShell(argv) {
		return nil
	}
	s.report(ev, map[string]any{"shell": sh, "argv": argv, "prev_comm": prev})
	return nil
}
