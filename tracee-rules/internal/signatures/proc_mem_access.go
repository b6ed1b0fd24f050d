package signatures

import (
	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// ProcMemAccess (TRC-1023) reports a process opening another process's memory
// (/proc/PID/mem, /proc/PID/task/TID/mem) for reading: credential theft from a
// running process. Writing it is code injection (TRC-3, alias TRC-1024).
type ProcMemAccess struct{ fileWatch }

// NewProcMemAccess returns TRC-1023.
func NewProcMemAccess() *ProcMemAccess {
	s := &ProcMemAccess{newFileWatch(sdk.Metadata{
		ID:             "TRC-1023",
		Name:           "Process memory access detected",
		Description:    "Process memory access detected. Adversaries may access other processes memory to steal credentials and secrets.",
		Severity:       sdk.SeverityHigh,
		MitreCategory:  "Credential Access",
		MitreTechnique: "T1003.007 OS Credential Dumping: Proc Filesystem",
	}, accessAny, false, func(p string) bool { _, ok := procPidFile(p, "mem"); return ok })}
	s.allow = func(ev *pb.Event) bool {
		// only reads, and not of the process's own memory (its pid or a
		// thread's, in the namespace of the /proc it opened, or the host's)
		if openedForWrite(ev) && !openedForRead(ev) {
			return true
		}
		p, _ := sdk.ArgString(ev, "pathname")
		id, _ := procPidFile(p, "mem")
		for _, own := range []int32{ev.GetProcessId(), ev.GetThreadId(), ev.GetHostProcessId(), ev.GetHostThreadId()} {
			if int32(id) == own {
				return true
			}
		}
		return false
	}
	return s
}
