package signatures

import (
	"strings"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// FilelessExecution (TRC-5) reports a program executed from memory rather
// than from a file on persistent storage:
//   - is_memfd is true, or pathname is a memfd ("memfd:name", "/memfd:name (deleted)");
//   - is_deleted is true (the executed file had no links left: an O_TMPFILE or
//     unlinked file executed through its descriptor);
//   - pathname is under /dev/shm/ or /run/shm/;
//   - fs_type is tmpfs or ramfs, except under /tmp/ and /var/tmp/: /tmp is
//     tmpfs on many hosts and executing from it is ordinary there (installers,
//     build tools), so it alone does not fire;
//   - cmdpath is a descriptor path: /dev/fd/N, /proc/<pid|self>/fd/N (fexecve).
type FilelessExecution struct{ base }

// NewFilelessExecution returns TRC-5.
func NewFilelessExecution() *FilelessExecution {
	return &FilelessExecution{newBase(sdk.Metadata{
		ID:             "TRC-5",
		Name:           "Fileless Execution",
		Description:    "Executing a process from memory instead of from a file on disk was detected. Fileless execution lets adversaries run code without leaving a binary on persistent storage.",
		Severity:       sdk.SeverityHigh,
		MitreCategory:  "Defense Evasion",
		MitreTechnique: "T1620 Reflective Code Loading",
	}, on("sched_process_exec"))}
}

// OnEvent implements sdk.Signature.
func (s *FilelessExecution) OnEvent(ev *pb.Event) error {
	if ev.GetEventName() != "sched_process_exec" {
		return nil
	}
	path, _ := sdk.ArgString(ev, "pathname")
	cmdpath, _ := sdk.ArgString(ev, "cmdpath")
	reason := filelessReason(ev, path, cmdpath)
	if reason == "" {
		return nil
	}
	data := map[string]any{"reason": reason, "pathname": path, "cmdpath": cmdpath}
	if fs, ok := sdk.ArgString(ev, "fs_type"); ok && fs != "" {
		data["fs_type"] = fs
	}
	s.report(ev, data)
	return nil
}

func filelessReason(ev *pb.Event, path, cmdpath string) string {
	if memfd, _ := sdk.ArgBool(ev, "is_memfd"); memfd {
		return "memfd"
	}
	if strings.HasPrefix(path, "memfd:") || strings.HasPrefix(path, "/memfd:") {
		return "memfd"
	}
	if isFdPath(cmdpath) {
		return "executed through a file descriptor"
	}
	if deleted, _ := sdk.ArgBool(ev, "is_deleted"); deleted {
		return "deleted file"
	}
	if strings.HasPrefix(path, "/dev/shm/") || strings.HasPrefix(path, "/run/shm/") {
		return "shared memory"
	}
	fs, _ := sdk.ArgString(ev, "fs_type")
	if (fs == "tmpfs" || fs == "ramfs") && !strings.HasPrefix(path, "/tmp/") && !strings.HasPrefix(path, "/var/tmp/") {
		return "memory file system " + fs
	}
	return ""
}

// isFdPath reports whether p names an open descriptor: /dev/fd/N or
// /proc/<pid|self|thread-self>/fd/N.
func isFdPath(p string) bool {
	if n, ok := strings.CutPrefix(p, "/dev/fd/"); ok {
		return allDigits(n)
	}
	rest, ok := strings.CutPrefix(p, "/proc/")
	if !ok {
		return false
	}
	who, rest, ok := strings.Cut(rest, "/")
	if !ok || !(who == "self" || who == "thread-self" || allDigits(who)) {
		return false
	}
	n, ok := strings.CutPrefix(rest, "fd/")
	return ok && allDigits(n)
}
