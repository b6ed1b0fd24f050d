package signatures

import (
	"strconv"
	"strings"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// ptrace requests that write into another process: its memory, or its
// registers (hijacking the instruction pointer needs no memory write).
var ptracePokes = []struct {
	value int64
	name  string
}{
	{4, "PTRACE_POKETEXT"},
	{5, "PTRACE_POKEDATA"},
	{6, "PTRACE_POKEUSER"},
	{13, "PTRACE_SETREGS"},
	{15, "PTRACE_SETFPREGS"},
	{19, "PTRACE_SETFPXREGS"},
	{0x4205, "PTRACE_SETREGSET"},
}

// Identity of a procfs mem file (security_file_open's fs_magic, inode_mode).
const (
	procSuperMagic = 0x9fa0
	sIFMT          = 0o170000
	sIFREG         = 0o100000
)

// CodeInjection (TRC-3) reports writes into another process's memory or
// registers: ptrace POKETEXT/POKEDATA/POKEUSER and SETREGS/SETFPREGS/
// SETFPXREGS/SETREGSET; a procfs mem file of another process opened for
// writing — decided by what the file is (procfs, a regular file named mem
// in a process or task directory) on any procfs mount or bind mount, by
// path shape only when the event lacks fs_magic; and process_vm_writev to
// another process. Writing one's own memory is not injection (gdb probes
// /proc/self/mem that way). Nor is a debugger writing into the program it
// started under tracing (debuggees: the target did PTRACE_TRACEME to that
// parent — gdb's run — and its forks). Attaching (ATTACH/SEIZE) and
// writing is reported even into one's own child: that is how a process
// hollows out a program it spawned, and a debugger attach and an
// injection look the same.
type CodeInjection struct {
	base
	debuggees debuggees
}

// NewCodeInjection returns TRC-3.
func NewCodeInjection() *CodeInjection {
	return &CodeInjection{base: newBase(sdk.Metadata{
		ID:             "TRC-3",
		Name:           "Code Injection",
		Description:    "Possible code injection into another process was detected. Code injection is an exploitation technique used to run malicious code in the context of another process.",
		Severity:       sdk.SeverityHigh,
		MitreCategory:  "Defense Evasion",
		MitreTechnique: "T1055 Process Injection",
	}, append(whole("ptrace", "process_vm_writev", "sched_process_fork", "sched_process_exit"),
		// a memory file (…/<who>/mem on any procfs mount) opened for writing
		on("security_file_open", append([]string{"data.pathname=*/mem", writeOpen}, regularFile...)...))...)}
}

// Init implements sdk.Signature.
func (s *CodeInjection) Init(cb sdk.Callback) error {
	s.debuggees.init(false)
	return s.base.Init(cb)
}

// ownTarget reports whether target (a pid in the writer's namespace, or
// "self") is the writer itself or a program the writer started under
// tracing.
func (s *CodeInjection) ownTarget(ev *pb.Event, target int64) bool {
	return target == int64(ev.GetProcessId()) || target == int64(ev.GetHostProcessId()) || s.debuggees.of(ev, target)
}

// OnEvent implements sdk.Signature.
func (s *CodeInjection) OnEvent(ev *pb.Event) error {
	if s.debuggees.observe(ev) {
		return nil
	}
	switch ev.GetEventName() {
	case "ptrace":
		for _, p := range ptracePokes {
			if sdk.ArgIs(ev, "request", p.value, p.name) {
				pid, ok := sdk.ArgInt(ev, "pid")
				if ok && s.ownTarget(ev, pid) {
					return nil
				}
				data := map[string]any{"ptrace request": p.name}
				if ok {
					data["target pid"] = pid
				}
				s.report(ev, data)
				return nil
			}
		}
	case "security_file_open":
		path, _ := sdk.ArgString(ev, "pathname")
		who, ok := procMemTarget(ev, path)
		if !ok || !openedForWrite(ev) || who == "self" || who == "thread-self" {
			return nil
		}
		if pid, err := strconv.ParseInt(who, 10, 32); err == nil && s.ownTarget(ev, pid) {
			return nil
		}
		s.report(ev, map[string]any{"pathname": path, "flags": argDisplay(ev, "flags")})
	case "process_vm_writev":
		pid, ok := sdk.ArgInt(ev, "pid")
		if !ok || pid <= 0 || s.ownTarget(ev, pid) {
			return nil
		}
		s.report(ev, map[string]any{"target pid": pid})
	}
	return nil
}

// procMemTarget returns whose memory file an opened file is ("self",
// "thread-self" or a pid): with fs_magic, a regular procfs file named mem
// whose path ends in <who>/mem or <who>/task/<tid>/mem under any mount
// point; without it, a path of that shape.
func procMemTarget(ev *pb.Event, path string) (string, bool) {
	if magic, ok := sdk.ArgUint(ev, "fs_magic"); ok {
		mode, _ := sdk.ArgUint(ev, "inode_mode")
		if magic != procSuperMagic || mode&sIFMT != sIFREG {
			return "", false
		}
	}
	return procMemWho(path)
}

// procMemWho parses the tail of a process's memory file path:
// .../<pid|self|thread-self>/mem or .../<pid|self>/task/<tid>/mem.
func procMemWho(path string) (string, bool) {
	parts := strings.Split(path, "/")
	n := len(parts)
	if n < 3 || parts[0] != "" || parts[n-1] != "mem" {
		return "", false
	}
	if n >= 5 && parts[n-3] == "task" && allDigits(parts[n-2]) {
		if who := parts[n-4]; who == "self" || allDigits(who) {
			return who, true
		}
		return "", false
	}
	if who := parts[n-2]; who == "self" || who == "thread-self" || allDigits(who) {
		return who, true
	}
	return "", false
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
