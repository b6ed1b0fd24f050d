package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
	"testing"
)

// TRC-3: writes into another process's memory by ptrace, by /proc/<pid>/mem,
// and by process_vm_writev. Writing one's own memory (/proc/self/mem) is not
// injection into another process: no finding (gdb probes the kernel that way).
func TestCodeInjection(t *testing.T) {
	p := StartPipeline(t, PipelineOptions{Rules: []string{"TRC-3"}})
	counts := map[int]int{}
	for _, v := range []struct {
		mode  string
		event string
		check func(t *testing.T, f Finding, pid, child int)
	}{
		{"ptrace-poke", "ptrace", func(t *testing.T, f Finding, pid, child int) {
			if got := dataStr(f, "ptrace request"); got != "PTRACE_POKETEXT" {
				t.Errorf("ptrace request %q, want PTRACE_POKETEXT", got)
			}
			if got, _ := dataInt(f, "target pid"); got != int64(child) {
				t.Errorf("target pid %d, want the child %d", got, child)
			}
		}},
		{"proc-mem", "security_file_open", func(t *testing.T, f Finding, pid, child int) {
			if got, want := dataStr(f, "pathname"), fmt.Sprintf("/proc/%d/mem", child); got != want {
				t.Errorf("pathname %q, want %q", got, want)
			}
			if got := dataStr(f, "flags"); !strings.Contains(got, "O_RDWR") && got != "2" {
				t.Errorf("flags %q, want O_RDWR", got)
			}
		}},
		{"vm-writev", "process_vm_writev", func(t *testing.T, f Finding, pid, child int) {
			if got, _ := dataInt(f, "target pid"); got != int64(child) {
				t.Errorf("target pid %d, want the child %d", got, child)
			}
		}},
	} {
		t.Run(v.mode, func(t *testing.T) {
			pid, out := runTriggerPid(t, "code_injection", v.mode)
			counts[pid] = 1
			child := 0
			child = outInt(t, out, "child")
			f := mustFind(t, p, "TRC-3 "+v.mode, func(f Finding) bool {
				return bySigPid("TRC-3", pid)(f) && f.Event.EventName == v.event
			})
			checkCommon(t, f, "TRC-3", pid, "code_injection")
			v.check(t, f, pid, child)
			t.Logf("findings:\n%s", describe(findingsOf(p, "", pid)))
		})
	}
	selfPid, _ := runTriggerPid(t, "code_injection", "proc-self-mem")
	counts[selfPid] = 0
	checkCounts(t, p, "TRC-3", counts)
}

// TRC-4: W+X memory by mmap, by mprotect to RWX, and by a written W+X
// region made executable-only (the write-then-execute pattern of JIT-style
// loaders; the kernel's mem_prot_alert sees the written memory).
func TestDynamicCodeLoading(t *testing.T) {
	p := StartPipeline(t, PipelineOptions{Rules: []string{"TRC-4"}})
	counts := map[int]int{}
	for _, v := range []struct {
		mode     string
		findings int                  // W+X allocations and W+X to X changes
		match    func(f Finding) bool // the finding this variant must produce
	}{
		{"mmap", 1, func(f Finding) bool {
			return (f.Event.EventName == "mmap" && isWX(dataStr(f, "prot"))) ||
				(f.Event.EventName == "mem_prot_alert" && dataStr(f, "alert") == "Mmaped region with W+E permissions!")
		}},
		{"mprotect", 1, func(f Finding) bool {
			return f.Event.EventName == "mprotect" && isWX(dataStr(f, "prot"))
		}},
		{"wx-to-x", 2, func(f Finding) bool {
			return f.Event.EventName == "mem_prot_alert" && dataStr(f, "alert") == "Protection changed to Executable!" &&
				dataStr(f, "reason") == "writable memory made executable"
		}},
	} {
		t.Run(v.mode, func(t *testing.T) {
			pid, _ := runTriggerPid(t, "wx_mem", v.mode)
			counts[pid] = v.findings
			f := mustFind(t, p, "TRC-4 "+v.mode, func(f Finding) bool { return bySigPid("TRC-4", pid)(f) && v.match(f) })
			checkCommon(t, f, "TRC-4", pid, "wx_mem")
			if n, ok := dataInt(f, "len"); ok && n != 4096 {
				t.Errorf("len %d, want 4096", n)
			}
			t.Logf("findings:\n%s", describe(findingsOf(p, "", pid)))
		})
	}
	checkCounts(t, p, "TRC-4", counts)
}

func isWX(prot string) bool {
	return strings.Contains(prot, "PROT_WRITE") && strings.Contains(prot, "PROT_EXEC")
}

// TRC-5: programs run from a memfd (execveat and /proc/self/fd) and from
// /dev/shm. The finding is on the exec, by the process that executed.
func TestFilelessExecution(t *testing.T) {
	p := StartPipeline(t, PipelineOptions{Rules: []string{"TRC-5"}})
	counts := map[int]int{}
	for _, v := range []struct {
		mode   string
		reason string
	}{
		{"execveat", "memfd"},
		{"proc", "memfd"},
		{"shm", "memory file system tmpfs"},
	} {
		t.Run(v.mode, func(t *testing.T) {
			pid, out := runTriggerPid(t, "fileless", v.mode)
			execPid := pid // the memfd modes exec in place
			if v.mode == "shm" {
				execPid = outInt(t, out, "child")
				counts[pid] = 0 // the trigger itself executed nothing fileless
			}
			counts[execPid] = 1
			f := mustFind(t, p, "TRC-5 "+v.mode, func(f Finding) bool { return bySigPid("TRC-5", execPid)(f) })
			if f.Event.EventName != "sched_process_exec" {
				t.Errorf("event %q, want sched_process_exec", f.Event.EventName)
			}
			if got := dataStr(f, "reason"); got != v.reason {
				t.Errorf("reason %q, want %q", got, v.reason)
			}
			pathname := dataStr(f, "pathname")
			switch v.mode {
			case "shm":
				want := fmt.Sprintf("/dev/shm/fileless-%d", pid)
				if pathname != want {
					t.Errorf("pathname %q, want %q", pathname, want)
				}
				// the kernel names the process after the file it executed
				checkCommon(t, f, "TRC-5", execPid, fmt.Sprintf("fileless-%d", pid))
			default:
				if !strings.Contains(pathname, "memfd:payload") {
					t.Errorf("pathname %q, want the memfd (memfd:payload)", pathname)
				}
				// Linux names the process after the fd path's last element
				// ("3" for /dev/fd/3), or since 6.x after the memfd's dentry
				// when execveat ran on a descriptor.
				comm := f.Event.ProcessName
				if want := path.Base(dataStr(f, "cmdpath")); comm != want && !(v.mode == "execveat" && comm == "memfd:payload") {
					t.Errorf("processName %q, want %q", comm, want)
				}
				checkCommon(t, f, "TRC-5", execPid, comm)
			}
			t.Logf("findings:\n%s", describe(findingsOf(p, "", execPid)))
		})
	}
	checkCounts(t, p, "TRC-5", counts)
}

// TRC-6: init_module and finit_module, each on its own.
func TestKernelModuleLoading(t *testing.T) {
	p := StartPipeline(t, PipelineOptions{Rules: []string{"TRC-6"}})
	counts := map[int]int{}
	for _, v := range []struct{ mode, event string }{{"init", "init_module"}, {"finit", "finit_module"}} {
		t.Run(v.mode, func(t *testing.T) {
			pid, _ := runTriggerPid(t, "kmod", v.mode)
			counts[pid] = 1
			f := mustFind(t, p, "TRC-6 "+v.event, func(f Finding) bool {
				return bySigPid("TRC-6", pid)(f) && f.Event.EventName == v.event
			})
			checkCommon(t, f, "TRC-6", pid, "kmod")
			if got := dataStr(f, "syscall"); got != v.event {
				t.Errorf("data syscall %q, want %q", got, v.event)
			}
			if rv, ok := dataInt(f, "return value"); !ok || rv >= 0 {
				t.Errorf("return value %v (present %v), want the failure (< 0)", rv, ok)
			}
			if v.event == "init_module" {
				if n, _ := dataInt(f, "len"); n != 64 {
					t.Errorf("len %d, want 64", n)
				}
			}
		})
	}
	checkCounts(t, p, "TRC-6", counts)
}

// TRC-7: LD_PRELOAD in the middle and at the end of an exec's environment,
// LD_LIBRARY_PATH, and /etc/ld.so.preload opened for writing (left as it was).
func TestLDPreload(t *testing.T) {
	p := StartPipeline(t, PipelineOptions{Rules: []string{"TRC-7"}})
	counts := map[int]int{}
	for _, v := range []struct {
		mode, event, comm, key, value string
	}{
		{"env-middle", "sched_process_exec", "true", "LD_PRELOAD", "/nonexistent.so"},
		{"env-last", "sched_process_exec", "true", "LD_PRELOAD", "/nonexistent.so"},
		{"ld-library-path", "sched_process_exec", "true", "LD_LIBRARY_PATH", "/nonexistent"},
		{"preload-file", "security_file_open", "ld_preload", "pathname", "/etc/ld.so.preload"},
	} {
		t.Run(v.mode, func(t *testing.T) {
			var before []byte
			var existed bool
			if v.mode == "preload-file" {
				before, existed = readPreload(t)
			}
			pid, _ := runTriggerPid(t, "ld_preload", v.mode)
			counts[pid] = 1
			if v.mode == "preload-file" {
				after, exists := readPreload(t)
				if exists != existed || !bytes.Equal(before, after) {
					t.Fatalf("/etc/ld.so.preload changed: existed %v -> %v, %q -> %q", existed, exists, before, after)
				}
			}
			f := mustFind(t, p, "TRC-7 "+v.mode, func(f Finding) bool {
				return bySigPid("TRC-7", pid)(f) && f.Event.EventName == v.event
			})
			checkCommon(t, f, "TRC-7", pid, v.comm)
			if got := dataStr(f, v.key); got != v.value {
				t.Errorf("data %s = %q, want %q (data %v)", v.key, got, v.value, f.Data)
			}
			if v.mode == "preload-file" {
				if fl := dataStr(f, "flags"); !strings.Contains(fl, "O_WRONLY") {
					t.Errorf("flags %q, want O_WRONLY", fl)
				}
			}
			t.Logf("findings:\n%s", describe(findingsOf(p, "", pid)))
		})
	}
	checkCounts(t, p, "TRC-7", counts)
}

func readPreload(t *testing.T) ([]byte, bool) {
	t.Helper()
	b, err := os.ReadFile("/etc/ld.so.preload")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false
	}
	if err != nil {
		t.Fatal(err)
	}
	return b, true
}
