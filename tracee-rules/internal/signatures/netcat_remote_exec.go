package signatures

import (
	"strings"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// netcats are netcat builds; the traditional one and ncat run a program
// for each connection with -e/-c (ncat also --exec, --sh-exec, --lua-exec).
var netcats = map[string]bool{
	"nc": true, "ncat": true, "netcat": true, "nc.traditional": true, "nc.openbsd": true, "busybox-nc": true,
}

// netcatExecOption returns the option that makes netcat run a program.
func netcatExecOption(argv []string) (string, bool) {
	for _, a := range argv[min(1, len(argv)):] {
		switch {
		case a == "--":
			return "", false
		case strings.HasPrefix(a, "--"):
			name, _, _ := strings.Cut(a, "=")
			if name == "--exec" || name == "--sh-exec" || name == "--lua-exec" {
				return name, true
			}
		case strings.HasPrefix(a, "-") && len(a) > 1:
			// short options cluster (-lvnpe): e and c take the program
			for _, c := range a[1:] {
				if c == 'e' || c == 'c' {
					return "-" + string(c), true
				}
				if c == 'p' || c == 's' || c == 'w' || c == 'i' || c == 'o' || c == 'q' || c == 'x' || c == 'X' || c == 'P' || c == 'T' {
					break // an option with a value: the rest of the word is it
				}
			}
		}
	}
	return "", false
}

// NetcatRemoteExec (FAL-007) reports netcat run with an option that executes
// a program for the connection (-e, -c, --exec, --sh-exec, --lua-exec): a
// remote shell.
type NetcatRemoteExec struct{ base }

// NewNetcatRemoteExec returns FAL-007.
func NewNetcatRemoteExec() *NetcatRemoteExec {
	return &NetcatRemoteExec{newBase(sdk.Metadata{
		ID:             "FAL-007",
		Name:           "Netcat remote code execution",
		Description:    "Netcat was run with an option that connects a program to the network (-e, -c, --exec, --sh-exec): a remote shell, giving whoever is at the other end command execution on this system.",
		Severity:       sdk.SeverityHigh,
		MitreCategory:  "Execution",
		MitreTechnique: "T1059 Command and Scripting Interpreter",
		Properties:     map[string]any{"falco_rule": "Netcat Remote Code Execution in Container"},
	}, whole("sched_process_exec")...)}
}

// OnEvent implements sdk.Signature.
func (s *NetcatRemoteExec) OnEvent(ev *pb.Event) error {
	if ev.GetEventName() != "sched_process_exec" || !netcats[execBase(ev)] {
		return nil
	}
	argv, _ := sdk.ArgStrings(ev, "argv")
	if opt, ok := netcatExecOption(argv); ok {
		s.report(ev, map[string]any{"option": opt, "argv": argv})
	}
	return nil
}
