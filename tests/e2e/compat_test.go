package e2e

import (
	"strconv"
	"testing"
)

// The 32-bit gate: every technique through the i386 syscall ABI, from a
// gcc -m32 program (NAME-m32 builds of the triggers) and from a 64-bit
// program executing int $0x80 (evasion_int80), is caught by the same
// signature as its x86_64 form, on an event marked isCompat.
func TestCompatSyscallsCaught(t *testing.T) {
	p := StartPipeline(t, PipelineOptions{Rules: []string{"TRC-1", "TRC-2", "TRC-3", "TRC-4", "TRC-5", "TRC-6", "TRC-7"}})
	for _, v := range []struct {
		trigger string
		args    []string
		sig     string
		compat  bool // the finding's event is an i386 syscall (not sched_process_exec)
	}{
		{"anti_debug-m32", nil, "TRC-2", true},
		{"kmod-m32", []string{"init"}, "TRC-6", true},
		{"kmod-m32", []string{"finit"}, "TRC-6", true},
		{"wx_mem-m32", []string{"mmap"}, "TRC-4", true},
		{"wx_mem-m32", []string{"mprotect"}, "TRC-4", true},
		{"code_injection-m32", []string{"ptrace-poke"}, "TRC-3", true},
		{"code_injection-m32", []string{"proc-mem"}, "TRC-3", true},
		{"code_injection-m32", []string{"vm-writev"}, "TRC-3", true},
		{"fileless-m32", []string{"execveat"}, "TRC-5", false},
		{"ld_preload-m32", []string{"env-middle"}, "TRC-7", false},
		{"ld_preload-m32", []string{"preload-file"}, "TRC-7", true},
		{"evasion_int80", []string{"traceme"}, "TRC-2", true},
		{"evasion_int80", []string{"init"}, "TRC-6", true},
		{"evasion_int80", []string{"mmap2"}, "TRC-4", true},
		{"evasion_int80", []string{"old-mmap"}, "TRC-4", true},
		{"evasion_int80", []string{"mprotect"}, "TRC-4", true},
		{"evasion_int80", []string{"vm-writev"}, "TRC-3", true},
		{"evasion_int80", []string{"proc-mem"}, "TRC-3", true},
		{"evasion_int80", []string{"preload"}, "TRC-7", false},
		{"evasion_int80", []string{"socketcall"}, "TRC-1", true},
		{"reverse_shell-m32", []string{"dup2"}, "TRC-1", true},
	} {
		name := v.trigger
		if len(v.args) > 0 {
			name += "/" + v.args[0]
		}
		t.Run(name, func(t *testing.T) {
			args := v.args
			if v.sig == "TRC-1" {
				l := listen(t, "tcp4", "127.0.0.1:0")
				args = append(args, "127.0.0.1", strconv.Itoa(l.port()))
				defer func() { <-l.received }()
			}
			pid, out := runTriggerPid(t, v.trigger, args...)
			f := mustFind(t, p, v.sig+" "+name, bySigPid(v.sig, pid))
			if v.compat && !f.Event.ContextFlags.IsCompat {
				t.Errorf("finding on %s without contextFlags.isCompat", f.Event.EventName)
			}
			t.Logf("trigger output:\n%sfindings:\n%s", out, describe(findingsOf(p, "", pid)))
		})
	}
}
