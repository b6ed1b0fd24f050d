package signatures

import (
	"path"
	"slices"
	"strings"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

const ldSoPreload = "/etc/ld.so.preload"

// preloadEnvVars are the loader variables TRC-7 looks for; LD_LIBRARY_PATH
// only when it is new (see LDPreload).
var preloadEnvVars = []string{"LD_PRELOAD", "LD_AUDIT", "LD_LIBRARY_PATH"}

// loaderValueOpts are ld.so's options that take a value (ld.so --help).
var loaderValueOpts = map[string]bool{"--preload": true, "--audit": true, "--library-path": true,
	"--inhibit-rpath": true, "--argv0": true, "--glibc-hwcaps-prepend": true, "--glibc-hwcaps-mask": true}

// openWriteWindow pairs an open of /etc/ld.so.preload for writing with the
// same process's magic_write to it: one finding for the two.
const openWriteWindow = int64(1e9)

// runtimeLibPaths are LD_LIBRARY_PATH directories container runtimes set
// for their own helpers (containerd adds /opt/containerd/lib for its shims,
// hence runc, at every container start): root-owned, so not an injection.
// A value made only of these (and empty components) is not reported.
var runtimeLibPaths = map[string]bool{"/opt/containerd/lib": true}

func onlyRuntimeLibPaths(v string) bool {
	for _, d := range strings.Split(v, ":") {
		if d != "" && !runtimeLibPaths[d] {
			return false
		}
	}
	return true
}

// maxEnvProcs bounds the processes whose LD_LIBRARY_PATH is remembered.
const maxEnvProcs = 65536

// LDPreload (TRC-7) reports dynamic-linker hijacking:
//   - a program executed with LD_PRELOAD or LD_AUDIT set to a non-empty
//     value anywhere in its environment (env, and ld_env past its first
//     8 KiB), or with an LD_LIBRARY_PATH that is new: set, and not the value
//     the process had before this exec or its parent had (an inherited
//     LD_LIBRARY_PATH is the environment's, not an injection; an unknown
//     parent counts as new; the container runtimes' own directories,
//     runtimeLibPaths, are not reported);
//   - the loader run as a program with --preload or --audit (ld.so
//     --preload LIB PROGRAM), whatever the loader file is called;
//   - /etc/ld.so.preload written or replaced: opened for writing, a
//     magic_write to it (one finding when one process does both), a hard
//     link or symlink made there (security_inode_link/symlink), or a rename
//     onto it (security_inode_rename: rename, renameat, renameat2 — mv,
//     sed -i). The file is recognised by its absolute path or by the
//     identity of /etc (watched_dir: the kernel found the directory the name
//     is in, however it was spelt — a bind mount of /etc, a second mount, a
//     dirfd); a link or rename whose directory the kernel could not find
//     (dir_unresolved: e.g. a symlink whose target is not in its inode) is reported when its name
//     is ld.so.preload. io_uring RENAMEAT/LINKAT/SYMLINKAT arrive as the
//     same events marked ioUring.
type LDPreload struct {
	base
	dedup   pairDedup
	libPath map[int32]string // host pid -> LD_LIBRARY_PATH of its last exec ("" unset)
}

// NewLDPreload returns TRC-7.
func NewLDPreload() *LDPreload {
	return &LDPreload{base: newBase(sdk.Metadata{
		ID:             "TRC-7",
		Name:           "LD_PRELOAD",
		Description:    "Usage of LD_PRELOAD to preload libraries was detected. Adversaries may hijack the dynamic linker to load malicious shared libraries into processes.",
		Severity:       sdk.SeverityMedium,
		MitreCategory:  "Persistence",
		MitreTechnique: "T1574.006 Hijack Execution Flow: Dynamic Linker Hijacking",
	}, append(whole("sched_process_exec", "sched_process_exit", "magic_write"),
		// a new name ending so, wherever its directory is: the kernel says
		// which directory it is (watched_dir)
		on("security_inode_link", "data.new_path=*/ld.so.preload"),
		on("security_inode_symlink", "data.linkpath=*/ld.so.preload"),
		on("security_inode_rename", "data.new_path=*/ld.so.preload"),
		// ld.so.preload opened for writing, by its path or (watched_dir) in
		// /etc reached another way: either way the name ends so
		on("security_file_open", append([]string{"data.pathname=*/ld.so.preload", writeOpen}, regularFile...)...))...)}
}

// Init implements sdk.Signature.
func (s *LDPreload) Init(cb sdk.Callback) error {
	s.dedup = pairDedup{}
	s.libPath = map[int32]string{}
	return s.base.Init(cb)
}

// OnEvent implements sdk.Signature.
func (s *LDPreload) OnEvent(ev *pb.Event) error {
	switch name := ev.GetEventName(); name {
	case "sched_process_exec":
		s.onExec(ev)
	case "sched_process_exit":
		if group, _ := sdk.ArgBool(ev, "process_group_exit"); group {
			delete(s.libPath, ev.GetHostProcessId())
		}
	case "security_file_open", "magic_write":
		p, _ := sdk.ArgString(ev, "pathname")
		if !isPreloadFile(ev, p) || (name == "security_file_open" && !openedForWrite(ev)) {
			return nil
		}
		if s.dedup.duplicate(ev, dedupKey{tid: ev.GetHostProcessId(), class: "ld.so.preload"}, name, openWriteWindow) {
			return nil
		}
		data := map[string]any{"pathname": p}
		if name == "security_file_open" {
			data["flags"] = argDisplay(ev, "flags")
		}
		s.report(ev, data)
	case "security_inode_link", "security_inode_symlink", "security_inode_rename":
		arg, from := newNameArg(name), "old_path"
		if name == "security_inode_symlink" {
			from = "target"
		}
		p, _ := sdk.ArgString(ev, arg)
		if !isPreloadFile(ev, path.Clean(p)) && !unresolvedNamed(ev, p, ldSoPreload) {
			return nil
		}
		src, _ := sdk.ArgString(ev, from)
		syscall := name
		if ev.GetIoUring() && name == "security_inode_rename" {
			syscall = "io_uring renameat"
		}
		data := map[string]any{"pathname": ldSoPreload, "syscall": syscall, "source": src}
		if path.Clean(p) != ldSoPreload {
			data["path used"] = p
		}
		if u, _ := sdk.ArgBool(ev, "dir_unresolved"); u {
			data["dir_unresolved"] = true
		}
		s.report(ev, data)
	}
	return nil
}

// unresolvedNamed: a new name with base name's last component whose
// directory the kernel could not identify (dir_unresolved).
func unresolvedNamed(ev *pb.Event, p, want string) bool {
	u, _ := sdk.ArgBool(ev, "dir_unresolved")
	return u && path.Base(p) == path.Base(want)
}

// isPreloadFile: the file is /etc/ld.so.preload by path, or by identity:
// named ld.so.preload in the directory the kernel recognised as /etc
// (watched_dir), however it was reached (a bind mount of /etc, a second
// mount of its file system, /proc/PID/root/etc).
func isPreloadFile(ev *pb.Event, p string) bool {
	if p == ldSoPreload {
		return true
	}
	wd, _ := sdk.ArgString(ev, "watched_dir")
	return wd == path.Dir(ldSoPreload) && path.Base(p) == path.Base(ldSoPreload)
}

func (s *LDPreload) onExec(ev *pb.Event) {
	pid := ev.GetHostProcessId()
	prev, known := s.libPath[pid]
	if !known {
		prev, known = s.libPath[ev.GetHostParentProcessId()]
	}
	env, _ := sdk.ArgStrings(ev, "env")
	// ld_env: the LD_ variables past the captured env (a long environment
	// cannot hide them; the env argument keeps the first 8 KiB)
	if tail, ok := sdk.ArgStrings(ev, "ld_env"); ok {
		env = append(slices.Clone(env), tail...)
	}
	var data map[string]any
	set := func(k string, v any) {
		if data == nil {
			data = map[string]any{}
		}
		data[k] = v
	}
	lib := ""
	for _, kv := range env {
		for _, v := range preloadEnvVars {
			val, ok := strings.CutPrefix(kv, v)
			if !ok || len(val) < 1 || val[0] != '=' {
				continue
			}
			val = val[1:]
			if v == "LD_LIBRARY_PATH" {
				lib = val
				if val == "" || (known && val == prev) || onlyRuntimeLibPaths(val) {
					continue
				}
			}
			if val != "" {
				set(v, val)
			}
		}
	}
	if len(s.libPath) < maxEnvProcs {
		s.libPath[pid] = lib
	} else if _, ok := s.libPath[pid]; ok {
		s.libPath[pid] = lib
	}
	argv, _ := sdk.ArgStrings(ev, "argv")
	for i := 1; i < len(argv) && strings.HasPrefix(argv[i], "--"); i++ {
		opt, val, hasVal := strings.Cut(argv[i], "=")
		if !hasVal && loaderValueOpts[opt] && i+1 < len(argv) {
			i++
			val = argv[i]
		}
		if opt == "--preload" || opt == "--audit" {
			set("loader "+opt, val)
		}
	}
	if data != nil {
		s.report(ev, data)
	}
}
