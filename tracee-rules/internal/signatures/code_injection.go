package signatures

import (
	"strings"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// ptrace requests that write into another process.
var ptracePokes = []struct {
	value int64
	name  string
}{
	{4, "PTRACE_POKETEXT"},
	{5, "PTRACE_POKEDATA"},
	{6, "PTRACE_POKEUSER"},
}

// CodeInjection (TRC-3) reports writes into another process's memory:
// ptrace POKETEXT/POKEDATA/POKEUSER, opening /proc/<pid>/mem for writing, and
// process_vm_writev to another process.
type CodeInjection struct{ base }

// NewCodeInjection returns TRC-3.
func NewCodeInjection() *CodeInjection {
	return &CodeInjection{newBase(sdk.Metadata{
		ID:             "TRC-3",
		Name:           "Code Injection",
		Description:    "Possible code injection into another process was detected. Code injection is an exploitation technique used to run malicious code in the context of another process.",
		Severity:       sdk.SeverityHigh,
		MitreCategory:  "Defense Evasion",
		MitreTechnique: "T1055 Process Injection",
	},
		on("ptrace", "data.request=4,5,6"), // POKETEXT, POKEDATA, POKEUSER (the kernel spells it POKEUSR)
		on("security_file_open", "data.pathname=/proc/*", "data.pathname=*/mem", writeOpen),
		on("process_vm_writev", "data.pid>0"),
	)}
}

// OnEvent implements sdk.Signature.
func (s *CodeInjection) OnEvent(ev *pb.Event) error {
	switch ev.GetEventName() {
	case "ptrace":
		for _, p := range ptracePokes {
			if sdk.ArgIs(ev, "request", p.value, p.name) {
				data := map[string]any{"ptrace request": p.name}
				if pid, ok := sdk.ArgInt(ev, "pid"); ok {
					data["target pid"] = pid
				}
				s.report(ev, data)
				return nil
			}
		}
	case "security_file_open":
		path, _ := sdk.ArgString(ev, "pathname")
		if isProcMem(path) && openedForWrite(ev) {
			s.report(ev, map[string]any{"pathname": path, "flags": argDisplay(ev, "flags")})
		}
	case "process_vm_writev":
		pid, ok := sdk.ArgInt(ev, "pid")
		if !ok || pid <= 0 {
			return nil
		}
		own := int64(ev.GetProcessId())
		if own == 0 {
			own = int64(ev.GetHostProcessId())
		}
		if pid != own {
			s.report(ev, map[string]any{"target pid": pid})
		}
	}
	return nil
}

// isProcMem reports whether path is exactly a process's memory file:
// /proc/<pid|self|thread-self>/mem or /proc/<pid|self>/task/<tid>/mem.
func isProcMem(path string) bool {
	rest, ok := strings.CutPrefix(path, "/proc/")
	if !ok {
		return false
	}
	who, rest, ok := strings.Cut(rest, "/")
	if !ok || !(who == "self" || who == "thread-self" || allDigits(who)) {
		return false
	}
	if rest == "mem" {
		return true
	}
	if who == "thread-self" {
		return false
	}
	task, ok := strings.CutPrefix(rest, "task/")
	if !ok {
		return false
	}
	tid, rest, ok := strings.Cut(task, "/")
	return ok && allDigits(tid) && rest == "mem"
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
