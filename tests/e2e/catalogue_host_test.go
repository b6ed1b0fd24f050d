package e2e

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

func filterFindings(fs []Finding, keep func(Finding) bool) []Finding {
	var out []Finding
	for _, f := range fs {
		if keep(f) {
			out = append(out, f)
		}
	}
	return out
}

// hostCase is one trigger run on the host and the finding it must raise.
type hostCase struct {
	id      string   // signature
	trigger string   // program in tests/triggers
	args    []string // its arguments
	event   string   // the triggering event
	child   bool     // the finding is on the trigger's child (printed child=<pid>)
	check   func(t *testing.T, f Finding, pid int)
}

// Every host-scoped detection of the catalogue, through both binaries in one
// pipeline: each trigger really does the thing (reads, or writes in its own
// throwaway mount namespace) and its finding names the right process.
func TestCatalogueHost(t *testing.T) {
	if _, err := exec.LookPath("ncat"); err != nil && os.Getenv("CI") != "true" {
		t.Skip("ncat not installed (make deps installs it)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	search := t.TempDir()
	pathIs := func(want string) func(t *testing.T, f Finding, pid int) {
		return func(t *testing.T, f Finding, pid int) {
			if got := dataStr(f, "pathname"); got != want {
				t.Errorf("pathname %q, want %q", got, want)
			}
		}
	}
	renamed := func(key, want string) func(t *testing.T, f Finding, pid int) {
		return func(t *testing.T, f Finding, pid int) {
			if got := dataStr(f, key); got != want {
				t.Errorf("%s %q, want %q (data %v)", key, got, want, f.Data)
			}
		}
	}
	cases := []hostCase{
		{"TRC-109", "file_access", []string{"aslr"}, "security_file_open", false, pathIs("/proc/sys/kernel/randomize_va_space")},
		{"TRC-1021", "file_access", []string{"kcore"}, "security_file_open", false, pathIs("/proc/kcore")},
		{"TRC-1023", "file_access", []string{"proc-mem"}, "security_file_open", false, func(t *testing.T, f Finding, pid int) {
			if p := dataStr(f, "pathname"); !strings.HasPrefix(p, "/proc/") || !strings.HasSuffix(p, "/mem") || p == fmt.Sprintf("/proc/%d/mem", pid) {
				t.Errorf("pathname %q, want the child's /proc/PID/mem", p)
			}
		}},
		{"TRC-1023", "file_access", []string{"proc-mem"}, "process_vm_readv", false, func(t *testing.T, f Finding, pid int) {
			if n, _ := dataInt(f, "target pid"); n <= 0 || int(n) == pid {
				t.Errorf("target pid %d, want the child", n)
			}
		}},
		{"FAL-001", "file_access", []string{"shadow"}, "security_file_open", false, pathIs("/etc/shadow")},
		{"TRC-1018", "file_access", []string{"k8s-cert"}, "security_file_open", false, pathIs("/etc/kubernetes/pki/apiserver.key")},
		{"TRC-1028", "file_access", []string{"sudoers"}, "security_file_open", false, pathIs("/etc/sudoers.d/zz-trigger")},
		{"TRC-1026", "file_access", []string{"rc"}, "security_file_open", false, pathIs("/etc/init.d/trigger")},
		{"TRC-1026", "exec_tricks", []string{"update-rc"}, "sched_process_exec", true, func(t *testing.T, f Finding, pid int) {
			if got := dataStr(f, "command"); got != "update-rc.d" {
				t.Errorf("command %q, want update-rc.d", got)
			}
		}},
		{"TRC-1027", "file_access", []string{"cron"}, "security_file_open", false, pathIs("/etc/cron.d/trigger")},
		{"TRC-1012", "file_access", []string{"loader"}, "security_file_open", false, pathIs("/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2")},
		{"TRC-1028", "file_access", []string{"renames"}, "security_inode_rename", false, renamed("new_path", "/etc/sudoers.d/zz-trigger")},
		{"TRC-1027", "file_access", []string{"renames"}, "security_inode_rename", false, renamed("new_path", "/etc/cron.d/trigger")},
		{"TRC-1026", "file_access", []string{"renames"}, "security_inode_rename", false, renamed("new_path", "/etc/init.d/trigger")},
		{"TRC-1018", "file_access", []string{"renames"}, "security_inode_rename", false, renamed("old_path", "/etc/kubernetes/pki/apiserver.key")},
		{"TRC-1012", "file_access", []string{"renames"}, "security_inode_rename", false, renamed("new_path", "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2")},
		{"FAL-005", "file_access", []string{"clear-logs"}, "security_file_open", false, pathIs("/var/log/trigger.log")},
		{"FAL-005", "file_access", []string{"clear-logs"}, "truncate", false, pathIs("/var/log/trigger.log")},
		{"FAL-005", "file_access", []string{"clear-logs"}, "unlink", false, pathIs("/var/log/trigger.log")},
		{"FAL-005", "file_access", []string{"clear-logs-ftruncate"}, "security_file_truncate", false, pathIs("/var/log/trigger.log")},
		{"FAL-005", "file_access", []string{"clear-logs-relative"}, "security_path_unlink", false, pathIs("/var/log/trigger.log")},
		{"TRC-1015", "file_access", []string{"hidden-elf"}, "magic_write", false, func(t *testing.T, f Finding, pid int) {
			if got, want := dataStr(f, "pathname"), fmt.Sprintf("/tmp/.trigger-%d", pid); got != want {
				t.Errorf("pathname %q, want %q", got, want)
			}
		}},
		{"FAL-006", "file_access", []string{"link-shadow"}, "security_inode_symlink", false, func(t *testing.T, f Finding, pid int) {
			if got, want := dataStr(f, "link"), fmt.Sprintf("/tmp/.shadow-sym-%d", pid); got != want || dataStr(f, "target") != "/etc/shadow" {
				t.Errorf("link %q -> %q, want %q -> /etc/shadow", got, dataStr(f, "target"), want)
			}
		}},
		{"FAL-006", "file_access", []string{"link-shadow"}, "security_inode_link", false, func(t *testing.T, f Finding, pid int) {
			if got, want := dataStr(f, "link"), fmt.Sprintf("/etc/.shadow-link-%d", pid); got != want || dataStr(f, "target") != "/etc/shadow" {
				t.Errorf("link %q -> %q, want %q -> /etc/shadow", got, dataStr(f, "target"), want)
			}
		}},
		{"FAL-010", "bpf_load", nil, "bpf", false, nil},
		{"FAL-009", "exec_tricks", []string{"loader-exec"}, "sched_process_exec", true, func(t *testing.T, f Finding, pid int) {
			if got := dataStr(f, "program"); got != "/bin/true" {
				t.Errorf("program %q, want /bin/true", got)
			}
		}},
		{"FAL-004", "exec_tricks", []string{"search", search}, "sched_process_exec", true, func(t *testing.T, f Finding, pid int) {
			if got := dataStr(f, "pattern"); got != "id_rsa" {
				t.Errorf("pattern %q, want id_rsa", got)
			}
		}},
		{"TRC-1016", "exec_tricks", []string{"web-shell"}, "sched_process_exec", true, func(t *testing.T, f Finding, pid int) {
			if got := dataStr(f, "web server"); got != "nginx" {
				t.Errorf("web server %q, want nginx", got)
			}
		}},
		{"FAL-007", "exec_tricks", []string{"netcat", "127.0.0.1", port}, "sched_process_exec", true, func(t *testing.T, f Finding, pid int) {
			if got := dataStr(f, "option"); got != "-e" {
				t.Errorf("option %q, want -e", got)
			}
		}},
	}
	var ids []string
	seen := map[string]bool{}
	for _, c := range cases {
		if !seen[c.id] {
			seen[c.id] = true
			ids = append(ids, c.id)
		}
	}
	p := StartPipeline(t, PipelineOptions{Rules: ids})
	type key struct{ trigger, args string }
	ran := map[key][2]int{} // one run per trigger invocation, shared by its cases
	for _, c := range cases {
		t.Run(c.id+"/"+c.event, func(t *testing.T) {
			k := key{c.trigger, strings.Join(c.args, " ")}
			r, ok := ran[k]
			if !ok {
				pid, out := runTriggerPid(t, c.trigger, c.args...)
				r = [2]int{pid, 0}
				if strings.Contains(out, "child=") {
					r[1] = outInt(t, out, "child")
				}
				ran[k] = r
			}
			pid := r[0]
			if c.child {
				pid = r[1]
			}
			f := mustFind(t, p, c.id+" from "+c.trigger+" "+k.args, func(f Finding) bool {
				return bySigPid(c.id, pid)(f) && f.Event.EventName == c.event
			})
			if c.check != nil {
				c.check(t, f, r[0])
			}
			if f.Event.ContainerID != "" {
				t.Errorf("host trigger reported in container %q", f.Event.ContainerID)
			}
		})
	}
	p.Stop()
	// nothing else: each trigger raised only what it was run for (other
	// processes of this shared machine, other tracers loading BPF programs
	// for one, are not this test's business)
	mine := map[int]bool{}
	for _, r := range ran {
		mine[r[0]], mine[r[1]] = true, r[1] != 0
	}
	for _, f := range p.Findings() {
		if !mine[f.Event.HostProcessID] {
			continue
		}
		expected := false
		for _, c := range cases {
			if f.SignatureMetadata.ID == c.id && f.Event.EventName == c.event {
				expected = true
			}
		}
		if !expected {
			t.Errorf("unexpected finding %s on %s by %q pid %d: %v", f.SignatureMetadata.ID, f.Event.EventName, f.Event.ProcessName, f.Event.HostProcessID, f.Data)
		}
	}
	t.Logf("findings:\n%s", describe(filterFindings(p.Findings(), func(f Finding) bool { return mine[f.Event.HostProcessID] })))
}
