package signatures

import (
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// Access kinds a file watch reports.
const (
	accessAny   = iota // any open
	accessWrite        // opened for writing (O_WRONLY, O_RDWR)
	accessRead         // opened for reading (O_RDONLY, O_RDWR)
)

const (
	oTrunc = 0o1000
	oPath  = 0o10000000
)

// openedForRead reports whether an open's flags request read access (an
// O_PATH descriptor reads nothing).
func openedForRead(ev *pb.Event) bool {
	if sdk.ArgHasFlag(ev, "flags", oPath, "O_PATH") {
		return false
	}
	if v, ok := sdk.ArgInt(ev, "flags"); ok {
		m := v & oAccMode
		return m == 0 || m == oRdwr
	}
	s, ok := sdk.ArgString(ev, "flags")
	if !ok {
		return false
	}
	return !sdk.HasFlagName(s, "O_WRONLY") // O_RDONLY is 0: absent from some reprs
}

// inContainer reports whether the event comes from a process in a container.
func inContainer(ev *pb.Event) bool { return ev.GetContainerId() != "" }

// fileWatch is the body shared by signatures that watch opens of particular
// files (security_file_open, whose pathname is the absolute path the kernel
// resolved: symlinks, bind mounts, dirfds and /proc/self all end at the real
// file). Each signature supplies what it watches.
type fileWatch struct {
	base
	starts    startedContainers // with container: the runtime's setup is not the container's
	match     func(path string) bool
	access    int
	container bool                    // only processes in containers
	allow     func(ev *pb.Event) bool // a legitimate accessor (nil: none)
	renames   int                     // renameOnto: a file renamed to a watched path; renameAway: a watched file renamed
}

// What a file watch reports of renames (security_inode_rename).
const (
	renameNone = iota
	renameOnto // replacing a watched file (write access by other means)
	renameAway // taking a watched file (read access by other means)
)

// withRenames makes the watch report renames too; renameOnto also hard
// links and symlinks made at a watched path (a new name there, as a rename).
func (s fileWatch) withRenames(kind int) fileWatch {
	s.renames = kind
	s.events = append(s.events, on("security_inode_rename"))
	if kind == renameOnto {
		s.events = append(s.events, on("security_inode_link"), on("security_inode_symlink"))
	}
	sort.SliceStable(s.events, func(i, j int) bool { return s.events[i].Name < s.events[j].Name })
	return s
}

// regularFile are the data filters of an open of a regular file (S_IFREG,
// with any permission bits): most opens on a busy host are of directories
// (a file-tree walk), and the kernel drops those on the mode alone, before
// it resolves their paths.
var regularFile = []string{"data.inode_mode>=32768", "data.inode_mode<=36863"}

// paths adds a data filter on the opened path (Tracee patterns: exact,
// prefix*, *suffix; OR-ed): what the match function accepts, in the form
// tracee-ebpf filters in the kernel. Calls AND.
func (s fileWatch) paths(patterns ...string) fileWatch {
	for i := range s.events {
		if isPathRule(s.events[i]) {
			s.events[i].Filters = append(append([]string(nil), s.events[i].Filters...), "data.pathname="+strings.Join(patterns, ","))
		}
	}
	return s
}

// socketFile are the data filters of an open of a socket file (S_IFSOCK:
// an O_PATH open; a plain open of a socket fails).
var socketFile = []string{"data.inode_mode>=49152", "data.inode_mode<=53247"}

// socket narrows the watch's path rules to socket files.
func (s fileWatch) socket() fileWatch { return s.mode(socketFile) }

// regular narrows the watch's path rules to regular files (what every
// watched file is: the match functions name files, never directories).
func (s fileWatch) regular() fileWatch { return s.mode(regularFile) }

// mode adds the file-type filters to the watch's path rules: the kernel
// drops opens of other types on the mode, before it resolves their paths.
func (s fileWatch) mode(filters []string) fileWatch {
	events := append([]sdk.SelectedEvent(nil), s.events...)
	for i := range events {
		if isPathRule(events[i]) {
			events[i].Filters = append(append([]string(nil), events[i].Filters...), filters...)
		}
	}
	s.events = events
	return s
}

// isPathRule reports whether a selection is an open rule on the path (not
// on the watched directory).
func isPathRule(e sdk.SelectedEvent) bool {
	return e.Name == "security_file_open" && !slices.ContainsFunc(e.Filters, func(f string) bool {
		return strings.HasPrefix(f, "data.watched_dir=")
	})
}

// inDirs adds a kernel rule (one) for opens of files directly in these
// directories, recognised by the directory's identity (security_file_open's
// watched_dir: however the directory was reached, a bind mount of /etc, a
// second mount, a dirfd), any file in them or only those named; the match
// then also sees the file's canonical path (dir/name). Each must be one of
// tracee-ebpf's watched directories (events.WatchedDirs).
func (s fileWatch) inDirs(dirs []string, names ...string) fileWatch {
	// regular files only (the kernel sieves opens by file type before it
	// runs any rule); the kernel holds four conditions a rule, so a rule on
	// names leaves the access mode to user space
	f := []string{"data.watched_dir=" + strings.Join(dirs, ",")}
	if len(names) > 0 {
		tails := make([]string, len(names))
		for i, n := range names {
			tails[i] = "*/" + n
		}
		f = append(f, "data.pathname="+strings.Join(tails, ","))
	} else {
		f = append(f, accessFilters[s.access]...)
	}
	f = append(f, regularFile...)
	s.events = append(append([]sdk.SelectedEvent(nil), s.events...), on("security_file_open", f...))
	return s
}

// canonicalPath is an open's path, or a rename's, link's or symlink's new
// name, as the watched directory it is in names it ("" outside those).
func canonicalPath(ev *pb.Event, p string) string {
	wd, _ := sdk.ArgString(ev, "watched_dir")
	if wd == "" || p == "" {
		return ""
	}
	return wd + "/" + path.Base(p)
}

// packageInstall reports whether a rename is dpkg putting a file of a package
// in place (it unpacks PATH.dpkg-new, then renames it onto PATH).
func packageInstall(ev *pb.Event, oldPath, newPath string) bool {
	return oldPath == newPath+".dpkg-new" && ev.GetProcessName() == "dpkg"
}

// newNameArg is the argument holding the new name of a rename, link or
// symlink event.
func newNameArg(event string) string {
	if event == "security_inode_symlink" {
		return "linkpath"
	}
	return "new_path"
}

// onRename handles a new name (rename, link, symlink) or, renameAway, a
// watched file renamed.
func (s *fileWatch) onRename(ev *pb.Event) {
	if s.container && (!inContainer(ev) || s.starts.runtimeSetup(ev)) {
		return
	}
	name := ev.GetEventName()
	if name != "security_inode_rename" && s.renames != renameOnto {
		return
	}
	oldPath, _ := sdk.ArgString(ev, "old_path")
	if name == "security_inode_symlink" {
		oldPath, _ = sdk.ArgString(ev, "target")
	}
	newPath, _ := sdk.ArgString(ev, newNameArg(name))
	onto := canonicalPath(ev, newPath) // the new name as its watched directory names it ("" outside those)
	switch {
	case s.renames == renameOnto && (s.match(newPath) || (onto != "" && s.match(onto))) && !packageInstall(ev, oldPath, newPath):
	case s.renames == renameAway && s.match(oldPath):
	default:
		return
	}
	if s.allow != nil && s.allow(ev) {
		return
	}
	data := map[string]any{"old_path": oldPath, "new_path": newPath}
	if s.renames == renameOnto && onto != "" && onto != newPath {
		data["canonical_path"] = onto
	}
	if name != "security_inode_rename" {
		data["syscall"] = name
	}
	s.report(ev, data)
}

// accessFilters are the data filters of each access kind on open flags.
var accessFilters = map[int][]string{
	accessWrite: {writeOpen},
	accessRead:  {"data.flags=O_RDONLY,O_RDWR"},
}

func newFileWatch(meta sdk.Metadata, access int, container bool, match func(string) bool, events ...string) fileWatch {
	if container && !slices.Contains(events, "sched_process_exec") {
		events = append(events, "sched_process_exec")
	}
	return fileWatch{
		base:      newBase(meta, append(whole(events...), on("security_file_open", accessFilters[access]...))...),
		match:     match,
		access:    access,
		container: container,
	}
}

// Init implements sdk.Signature.
func (s *fileWatch) Init(cb sdk.Callback) error {
	s.starts.init()
	return s.base.Init(cb)
}

// OnEvent implements sdk.Signature for the opens; signatures with more events
// handle them first and pass the rest here.
func (s *fileWatch) OnEvent(ev *pb.Event) error {
	if s.container {
		s.starts.observe(ev)
	}
	switch ev.GetEventName() {
	case "security_inode_rename", "security_inode_link", "security_inode_symlink":
		if s.renames != renameNone {
			s.onRename(ev)
		}
		return nil
	}
	if ev.GetEventName() != "security_file_open" || (s.container && (!inContainer(ev) || s.starts.runtimeSetup(ev))) {
		return nil
	}
	p, ok := sdk.ArgString(ev, "pathname")
	if !ok {
		return nil
	}
	canon := canonicalPath(ev, p)
	if !s.match(p) && (canon == "" || !s.match(canon)) {
		return nil
	}
	switch s.access {
	case accessWrite:
		if !openedForWrite(ev) {
			return nil
		}
	case accessRead:
		if !openedForRead(ev) {
			return nil
		}
	}
	if s.allow != nil && s.allow(ev) {
		return nil
	}
	data := map[string]any{"pathname": p, "flags": argDisplay(ev, "flags")}
	if canon != "" && canon != p {
		data["canonical_path"] = canon // reached another way: a bind mount, a second mount
	}
	s.report(ev, data)
	return nil
}

// under reports whether p is dir or below it (dir without trailing slash).
func under(p, dir string) bool {
	return strings.HasPrefix(p, dir) && (len(p) == len(dir) || p[len(dir)] == '/')
}

// inDir reports whether p is a file directly in dir (no trailing slash).
func inDir(p, dir string) bool {
	return len(p) > len(dir)+1 && p[len(dir)] == '/' && p[:len(dir)] == dir &&
		strings.IndexByte(p[len(dir)+1:], '/') < 0
}

// procPidFile returns the pid of /proc/PID/name or /proc/PID/task/TID/name
// (the TID for the latter).
func procPidFile(p, name string) (int, bool) {
	rest, ok := strings.CutPrefix(p, "/proc/")
	if !ok {
		return 0, false
	}
	rest, ok = strings.CutSuffix(rest, "/"+name)
	if !ok {
		return 0, false
	}
	if pid, tid, ok := strings.Cut(rest, "/task/"); ok {
		if _, err := strconv.Atoi(pid); err != nil {
			return 0, false
		}
		rest = tid
	}
	n, err := strconv.Atoi(rest)
	return n, err == nil && n > 0
}

// execBase is the file name of the program an exec event ran: its resolved
// path, or for a script (the kernel's interp differs from the command path)
// the script's own name rather than its interpreter's.
func execBase(ev *pb.Event) string {
	p, _ := sdk.ArgString(ev, "pathname")
	cmd, _ := sdk.ArgString(ev, "cmdpath")
	if interp, _ := sdk.ArgString(ev, "interp"); (interp != "" && interp != cmd) || p == "" {
		p = cmd
	}
	if p == "" {
		return ""
	}
	return path.Base(p)
}

// shells are the names of Unix shells.
var shells = map[string]bool{
	"sh": true, "bash": true, "dash": true, "zsh": true, "ash": true, "ksh": true,
	"mksh": true, "csh": true, "tcsh": true, "fish": true, "rbash": true,
}
