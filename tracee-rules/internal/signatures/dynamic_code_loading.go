package signatures

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"sync"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// mem_prot_alert alerts (Tracee's numbering and texts).
const (
	alertMmapWX        = 1 // "Mmaped region with W+E permissions!"
	alertMprotectToX   = 2 // "Protection changed to Executable!"
	alertMprotectXToW  = 3 // "Protection changed from E to W+E!"
	alertMprotectWXToX = 4 // "Protection changed from W+E to E!"
	alertSharedToW     = 5 // "Shared file mapping made writable!" (tracee-ebpf's, not Tracee's)
)

// x86_64 syscall numbers that produce mem_prot_alert.
const (
	sysMmap         = 9
	sysMprotect     = 10
	sysPkeyMprotect = 329
)

// Flags of the other routes to executable data.
const (
	readImpliesExec = 0x0400000 // personality(2) READ_IMPLIES_EXEC: every readable mapping is executable
	shmExec         = 0o100000  // shmat(2) SHM_EXEC
)

// DefaultJITExecutables are the runtimes whose business is generating code
// (JIT compilers), by the resolved path of the executed file (path.Match
// patterns): TRC-4 ignores processes running them. Override with
// tracee-rules --jit-executables (empty: none excluded).
var DefaultJITExecutables = []string{
	"/usr/bin/node", "/usr/bin/nodejs", "/usr/local/bin/node",
	"/usr/lib/jvm/*/bin/java", "/usr/lib/jvm/*/jre/bin/java",
	"/usr/bin/luajit*", "/usr/bin/pypy*", "/usr/lib/pypy*/bin/pypy*",
	"/usr/lib/dotnet/dotnet", "/usr/share/dotnet/dotnet",
	"/usr/lib/chromium/chromium", "/usr/lib/firefox*/firefox*", "/usr/lib/thunderbird/thunderbird",
}

var jitMu sync.Mutex
var jitExecutables = slices.Clone(DefaultJITExecutables)

// SetJITExecutables replaces the executables TRC-4 ignores (for signatures
// made afterwards). A pattern that path.Match rejects is an error.
func SetJITExecutables(patterns []string) error {
	for _, p := range patterns {
		if _, err := path.Match(p, ""); err != nil {
			return fmt.Errorf("jit executable pattern %q: %w", p, err)
		}
	}
	jitMu.Lock()
	defer jitMu.Unlock()
	jitExecutables = slices.Clone(patterns)
	return nil
}

// maxExeProcs bounds the processes whose executable TRC-4 remembers.
const maxExeProcs = 65536

// DynamicCodeLoading (TRC-4) reports memory that is or becomes executable
// after being writable:
//   - mmap/mprotect/pkey_mprotect asking for PROT_WRITE|PROT_EXEC, and
//     mem_prot_alert's W+E alerts (one finding when both show one syscall);
//   - the flip: memory holding written data made executable (mem_prot_alert
//     "Protection changed to Executable!" whose prev_prot has PROT_WRITE:
//     the kernel's judgement at the mprotect's exit, so the brk heap, the
//     stack, memory written then made read-only, moved by mremap, or shared
//     memory writable through another mapping (an mremap alias, a memfd)
//     all count, whatever events came before);
//   - personality(READ_IMPLIES_EXEC): every readable mapping becomes executable;
//   - shmat with SHM_EXEC: shared memory (writable by another process) mapped executable;
//   - one file (a memfd, a regular or shm file: security_mmap_file's dev and
//     inode) mapped both shared-writable and executable by a process, the
//     writable mapping made by mmap or by an mprotect of a shared mapping
//     (mem_prot_alert "Shared file mapping made writable!").
//
// Processes whose executable (the resolved path of the file they executed,
// from sched_process_exec; inherited at fork) matches the JIT exclusions are
// ignored: generating code is what JIT runtimes do.
type DynamicCodeLoading struct {
	base
	dedup pairDedup
	jit   []string
	isJit map[string]bool   // executable path -> matches jit (a cache: path.Match per event was a third of the engine's time)
	exe   map[int32]string  // host pid -> executable path
	maps  map[fileKey]uint8 // (host pid, file) -> mapSharedWrite|mapExec seen
}

// fileKey is one process's mappings of one file.
type fileKey struct {
	pid   int32
	dev   uint64
	inode uint64
}

const (
	mapSharedWrite = 1 << iota
	mapExec
	mapShared = 0x01 // mmap MAP_SHARED
	maxMaps   = 65536
)

// NewDynamicCodeLoading returns TRC-4.
func NewDynamicCodeLoading() *DynamicCodeLoading {
	return &DynamicCodeLoading{base: newBase(sdk.Metadata{
		ID:             "TRC-4",
		Name:           "Dynamic Code Loading",
		Description:    "Writing to an executable allocated memory region was detected. Adversaries may write code to memory at runtime and execute it, to evade defenses that inspect files on disk.",
		Severity:       sdk.SeverityMedium,
		MitreCategory:  "Defense Evasion",
		MitreTechnique: "T1027 Obfuscated Files or Information",
	}, append(whole("mem_prot_alert", "personality", "shmat",
		"sched_process_exec", "sched_process_fork", "sched_process_exit"),
		// the calls asking for W+E at once (mem_prot_alert, the kernel's,
		// judges the rest: these no longer feed a user-space derivation)
		on("mmap", "data.prot=PROT_WRITE", "data.prot=PROT_EXEC"),
		on("mprotect", "data.prot=PROT_WRITE", "data.prot=PROT_EXEC"),
		on("pkey_mprotect", "data.prot=PROT_WRITE", "data.prot=PROT_EXEC"),
		// onFileMap's two kinds of file mapping; a loader's read-only and
		// private writable mappings (most of them) are neither
		on("security_mmap_file", "data.prot=PROT_EXEC"),
		on("security_mmap_file", "data.prot=PROT_WRITE", "data.flags=MAP_SHARED,MAP_SHARED_VALIDATE"))...)}
}

// Init implements sdk.Signature.
func (s *DynamicCodeLoading) Init(cb sdk.Callback) error {
	s.dedup = pairDedup{}
	jitMu.Lock()
	s.jit = slices.Clone(jitExecutables)
	jitMu.Unlock()
	s.exe = map[int32]string{}
	s.isJit = map[string]bool{}
	s.maps = map[fileKey]uint8{}
	return s.base.Init(cb)
}

func (s *DynamicCodeLoading) setExe(pid int32, p string) {
	if _, ok := s.exe[pid]; ok || len(s.exe) < maxExeProcs {
		s.exe[pid] = p
	}
}

// isJIT reports whether the process runs an excluded JIT runtime.
func (s *DynamicCodeLoading) isJIT(pid int32) bool {
	exe, ok := s.exe[pid]
	if !ok {
		return false
	}
	if jit, ok := s.isJit[exe]; ok {
		return jit
	}
	jit := false
	for _, p := range s.jit {
		if m, _ := path.Match(p, exe); m {
			jit = true
			break
		}
	}
	if len(s.isJit) >= maxExeProcs {
		clear(s.isJit)
	}
	s.isJit[exe] = jit
	return jit
}

// OnEvent implements sdk.Signature.
func (s *DynamicCodeLoading) OnEvent(ev *pb.Event) error {
	pid := ev.GetHostProcessId()
	switch name := ev.GetEventName(); name {
	case "sched_process_exec":
		p, _ := sdk.ArgString(ev, "pathname")
		s.setExe(pid, p)
		return nil
	case "sched_process_fork":
		child, ok := sdk.ArgInt(ev, "child_pid")
		if p, known := s.exe[pid]; ok && known {
			s.setExe(int32(child), p)
		}
		return nil
	case "sched_process_exit":
		if group, _ := sdk.ArgBool(ev, "process_group_exit"); group {
			delete(s.exe, pid)
			for k := range s.maps {
				if k.pid == pid {
					delete(s.maps, k)
				}
			}
		}
		return nil
	}
	if s.isJIT(pid) {
		return nil
	}
	switch name := ev.GetEventName(); name {
	case "security_mmap_file":
		s.onFileMap(ev, pid)
	case "personality":
		persona, ok := sdk.ArgUint(ev, "personality") // Tracee's name; the man page's is persona
		if !ok {
			persona, ok = sdk.ArgUint(ev, "persona")
		}
		if ok && persona != 0xffffffff && persona&readImpliesExec != 0 && ev.GetReturnValue() >= 0 {
			s.report(ev, map[string]any{"syscall": name, "persona": persona, "reason": "READ_IMPLIES_EXEC"})
		}
	case "shmat":
		if rv := ev.GetReturnValue(); rv < 0 && rv >= -4095 {
			return nil
		}
		if flg, ok := sdk.ArgInt(ev, "shmflg"); ok && flg&shmExec != 0 {
			s.report(ev, map[string]any{"syscall": name, "shmflg": argDisplay(ev, "shmflg"), "reason": "SHM_EXEC"})
		}
	case "mem_prot_alert":
		alert, text := memProtAlert(ev)
		if alert == alertSharedToW {
			s.pairFileMaps(ev, pid, mapSharedWrite)
			return nil
		}
		if alert == alertMprotectToX {
			prev, _ := sdk.ArgInt(ev, "prev_prot")
			if prev&protWrite == 0 {
				return nil // executable after being read-only: the loader's relocations
			}
			if prot, _ := sdk.ArgInt(ev, "prot"); prot&protWrite == 0 {
				s.report(ev, map[string]any{"alert": text, "reason": "writable memory made executable"})
				return nil
			}
			// made W+X: the mprotect itself is the finding (paired below)
		} else if alert != alertMmapWX && alert != alertMprotectXToW && alert != alertMprotectWXToX {
			return nil
		}
		class := "mprotect"
		switch ev.GetSyscall() {
		case sysMmap:
			class = "mmap"
		case sysMprotect, sysPkeyMprotect:
		default:
			if alert == alertMmapWX {
				class = "mmap"
			}
		}
		length, _ := sdk.ArgUint(ev, "len")
		if s.dedup.duplicate(ev, dedupKey{tid: ev.GetHostThreadId(), class: class, a: int64(length)}, name, sameSyscall) {
			return nil
		}
		s.report(ev, map[string]any{"alert": text})
	case "mmap", "mprotect", "pkey_mprotect":
		if rv := ev.GetReturnValue(); rv < 0 && rv >= -4095 {
			return nil // failed
		}
		if !sdk.ArgHasFlag(ev, "prot", protWrite, "PROT_WRITE") || !sdk.ArgHasFlag(ev, "prot", protExec, "PROT_EXEC") {
			return nil
		}
		lenArg, class := "len", "mprotect"
		if name == "mmap" {
			lenArg, class = "length", "mmap"
		}
		length, _ := sdk.ArgUint(ev, lenArg)
		if s.dedup.duplicate(ev, dedupKey{tid: ev.GetHostThreadId(), class: class, a: int64(length)}, "syscall", sameSyscall) {
			return nil
		}
		s.report(ev, map[string]any{"syscall": name, "prot": argDisplay(ev, "prot"), "len": length})
	}
	return nil
}

// onFileMap reports the second mapping of one file that makes code
// writable without W+X memory: a shared writable mapping (writes reach the
// file, so every mapping of it) and an executable one, in either order.
func (s *DynamicCodeLoading) onFileMap(ev *pb.Event, pid int32) {
	prot, _ := sdk.ArgInt(ev, "prot")
	flags, _ := sdk.ArgInt(ev, "flags")
	var bits uint8
	if prot&protWrite != 0 && flags&mapShared != 0 {
		bits |= mapSharedWrite
	}
	if prot&protExec != 0 {
		bits |= mapExec
	}
	s.pairFileMaps(ev, pid, bits)
}

// pairFileMaps records that pid mapped ev's file (dev, inode) as bits and
// reports when both kinds are there.
func (s *DynamicCodeLoading) pairFileMaps(ev *pb.Event, pid int32, bits uint8) {
	if bits == 0 {
		return
	}
	dev, _ := sdk.ArgUint(ev, "dev")
	ino, _ := sdk.ArgUint(ev, "inode")
	k := fileKey{pid: pid, dev: dev, inode: ino}
	prev, seen := s.maps[k]
	if !seen && len(s.maps) >= maxMaps {
		return
	}
	s.maps[k] = prev | bits
	if prev != mapSharedWrite|mapExec && prev|bits == mapSharedWrite|mapExec {
		p, _ := sdk.ArgString(ev, "pathname")
		s.report(ev, map[string]any{"reason": "one file mapped shared-writable and executable", "pathname": p,
			"prot": argDisplay(ev, "prot")})
	}
}

// alertTexts are mem_prot_alert's renderings, indexed by alert number.
var alertTexts = map[uint64]string{
	alertMmapWX:        "Mmaped region with W+E permissions!",
	alertMprotectToX:   "Protection changed to Executable!",
	alertMprotectXToW:  "Protection changed from E to W+E!",
	alertMprotectWXToX: "Protection changed from W+E to E!",
	alertSharedToW:     "Shared file mapping made writable!",
}

// memProtAlert returns the alert number and text. The text (repr) decides
// when present, since it does not depend on the producer's numbering; a text
// this table does not know counts as a W+E mmap or mprotect alert when it
// mentions "W+E".
func memProtAlert(ev *pb.Event) (uint64, string) {
	text, _ := sdk.ArgString(ev, "alert")
	if text != "" {
		for v, t := range alertTexts {
			if strings.EqualFold(strings.TrimSpace(text), t) {
				return v, text
			}
		}
		switch {
		case strings.Contains(text, "W+E") && strings.Contains(strings.ToLower(text), "mmap"):
			return alertMmapWX, text
		case strings.Contains(text, "W+E"):
			return alertMprotectWXToX, text
		}
		return 0, text
	}
	v, _ := sdk.ArgUint(ev, "alert")
	return v, alertTexts[v]
}
