package signatures

import (
	"strings"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// FilelessExecution (TRC-5) reports a program executed from memory rather
// than from a file on persistent storage, decided by what the executed file
// is, not how it was named:
//   - is_memfd is true, or pathname is a memfd ("memfd:name", "/memfd:name (deleted)");
//   - is_deleted is true (the executed file had no links left: an O_TMPFILE or
//     unlinked file executed through its descriptor);
//   - fs_type is a memory file system (tmpfs, ramfs, devtmpfs, hugetlbfs)
//     wherever it is mounted: /dev/shm, /run, a tmpfs mounted under /tmp (a
//     user namespace can do that unprivileged), /dev;
//   - without fs_type (older JSON input), pathname under /dev/shm/ or /run/shm/.
//
// Executing an ordinary on-disk file through a descriptor (fexecve,
// /proc/self/fd/N, runc's /dev/fd re-exec) is not fileless and does not fire.
// By design, a host whose /tmp is tmpfs raises this for programs run from
// /tmp: there they are in memory too.
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
	}, "sched_process_exec")}
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

// memoryFS are the file systems whose files live only in memory.
var memoryFS = map[string]bool{"tmpfs": true, "ramfs": true, "devtmpfs": true, "hugetlbfs": true}

func filelessReason(ev *pb.Event, path, cmdpath string) string {
	if memfd, _ := sdk.ArgBool(ev, "is_memfd"); memfd {
		return "memfd"
	}
	if strings.HasPrefix(path, "memfd:") || strings.HasPrefix(path, "/memfd:") {
		return "memfd"
	}
	if deleted, _ := sdk.ArgBool(ev, "is_deleted"); deleted {
		return "deleted file"
	}
	fs, ok := sdk.ArgString(ev, "fs_type")
	if memoryFS[fs] {
		return "memory file system " + fs
	}
	if (!ok || fs == "") && (strings.HasPrefix(path, "/dev/shm/") || strings.HasPrefix(path, "/run/shm/")) {
		return "shared memory"
	}
	return ""
}
