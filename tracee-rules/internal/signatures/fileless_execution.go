package signatures

import (
	"slices"
	"strconv"
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
//
// What a program runs need not be the file executed: a script is read by
// its interpreter, and the dynamic loader run as a program (ld.so PROGRAM)
// loads the program it is given. So after such an exec the open of that
// script or program by the new image is checked the same way (memfd, a
// memory file system by security_file_open's fs_magic, a deleted file).
// By design, a host whose /tmp is tmpfs raises this for programs run from
// /tmp: there they are in memory too.
type FilelessExecution struct {
	base
	// host pid -> the name its new program will open as the code to run:
	// a script's path (the interpreter opens it) or the program the loader
	// was given; checked on that open, then forgotten
	pending map[int32]string
}

// maxPendingExecs bounds the execs waiting for their script or program open.
const maxPendingExecs = 65536

// loaderPaths are the dynamic loaders, by resolved path (a copy elsewhere is
// not recognised).
var loaderPaths = []string{"/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", "/usr/lib/i386-linux-gnu/ld-linux.so.2",
	"/lib64/ld-linux-x86-64.so.2", "/lib/ld-linux.so.2", "/usr/lib64/ld-linux-x86-64.so.2", "/lib/ld-musl-x86_64.so.1"}

// Memory file systems by magic (security_file_open's fs_magic).
var memoryFSMagic = map[uint64]string{0x01021994: "tmpfs", 0x858458f6: "ramfs", 0x958458f6: "hugetlbfs"}

// memoryFSMagicList is memoryFSMagic's keys as a data filter's values.
func memoryFSMagicList() string {
	var v []string
	for m := range memoryFSMagic {
		v = append(v, strconv.FormatUint(m, 10))
	}
	slices.Sort(v)
	return strings.Join(v, ",")
}

// NewFilelessExecution returns TRC-5.
func NewFilelessExecution() *FilelessExecution {
	return &FilelessExecution{base: newBase(sdk.Metadata{
		ID:             "TRC-5",
		Name:           "Fileless Execution",
		Description:    "Executing a process from memory instead of from a file on disk was detected. Fileless execution lets adversaries run code without leaving a binary on persistent storage.",
		Severity:       sdk.SeverityHigh,
		MitreCategory:  "Defense Evasion",
		MitreTechnique: "T1620 Reflective Code Loading",
	}, append(whole("sched_process_exec", "sched_process_exit"),
		// the code file a script's interpreter or the loader opens, when it
		// is in memory: a memory file system by magic (memfds are tmpfs or
		// hugetlbfs files), a memfd by name, a deleted file
		// (regular files only: devtmpfs is tmpfs too, and every open of
		// /dev/null must not reach user space)
		on("security_file_open", "data.fs_magic="+memoryFSMagicList(), "data.inode_mode>=32768", "data.inode_mode<=36863"),
		on("security_file_open", append([]string{"data.pathname=memfd:*,/memfd:*"}, regularFile...)...),
		on("security_file_open", append([]string{"data.pathname=* (deleted)"}, regularFile...)...))...)}
}

// Init implements sdk.Signature.
func (s *FilelessExecution) Init(cb sdk.Callback) error {
	s.pending = map[int32]string{}
	return s.base.Init(cb)
}

// OnEvent implements sdk.Signature.
func (s *FilelessExecution) OnEvent(ev *pb.Event) error {
	pid := ev.GetHostProcessId()
	switch ev.GetEventName() {
	case "sched_process_exit":
		delete(s.pending, pid)
		return nil
	case "security_file_open":
		want, ok := s.pending[pid]
		if !ok {
			return nil
		}
		if name, _ := sdk.ArgString(ev, "syscall_pathname"); name != want {
			return nil
		}
		delete(s.pending, pid)
		path, _ := sdk.ArgString(ev, "pathname")
		reason := openedFilelessReason(ev, path)
		if reason == "" {
			return nil
		}
		s.report(ev, map[string]any{"reason": reason, "pathname": path, "opened as": want})
		return nil
	case "sched_process_exec":
	default:
		return nil
	}
	path, _ := sdk.ArgString(ev, "pathname")
	cmdpath, _ := sdk.ArgString(ev, "cmdpath")
	delete(s.pending, pid)
	if next := codeToOpen(ev, path, cmdpath); next != "" && len(s.pending) < maxPendingExecs {
		s.pending[pid] = next
	}
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

// codeToOpen is the name the new program will open as its code: a
// script's path (the kernel ran its interpreter: interp differs from the
// exec'd name), or the program given to the dynamic loader run directly
// (its first argument that is not an option).
func codeToOpen(ev *pb.Event, path, cmdpath string) string {
	if interp, ok := sdk.ArgString(ev, "interp"); ok && interp != "" && interp != cmdpath {
		return cmdpath
	}
	if !slices.Contains(loaderPaths, path) {
		return ""
	}
	argv, _ := sdk.ArgStrings(ev, "argv")
	for i := 1; i < len(argv); i++ {
		if !strings.HasPrefix(argv[i], "--") {
			return argv[i]
		}
		if opt, _, hasVal := strings.Cut(argv[i], "="); !hasVal && loaderValueOpts[opt] {
			i++
		}
	}
	return ""
}

// openedFilelessReason: the code file opened is in memory.
func openedFilelessReason(ev *pb.Event, path string) string {
	if strings.HasPrefix(path, "memfd:") || strings.HasPrefix(path, "/memfd:") {
		return "memfd"
	}
	if magic, ok := sdk.ArgUint(ev, "fs_magic"); ok {
		if fs, mem := memoryFSMagic[magic]; mem {
			return "memory file system " + fs + " (script or program given to the loader)"
		}
	}
	if strings.HasSuffix(path, " (deleted)") {
		return "deleted file (script or program given to the loader)"
	}
	return ""
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
