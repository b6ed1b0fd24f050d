package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// tracee-ebpf's life: readiness (pid file), clean exit on SIGINT and
// SIGTERM with nothing left in the kernel, refusal without privileges,
// and --list.

// bpfObjects are the ids of the BPF programs, links and maps that a
// process holds open, read from /proc/PID/fdinfo.
type bpfObjects struct{ progs, links, maps []int }

func heldBPF(t *testing.T, pid int) bpfObjects {
	t.Helper()
	var o bpfObjects
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatal(err)
	}
	idRE := regexp.MustCompile(`(?m)^(prog_id|link_id|map_id):\s+(\d+)$`)
	for _, fd := range fds {
		target, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
		if err != nil || !strings.HasPrefix(target, "anon_inode:bpf") {
			continue
		}
		info, err := os.ReadFile(fmt.Sprintf("/proc/%d/fdinfo/%s", pid, fd.Name()))
		if err != nil {
			continue
		}
		ids := map[string]int{}
		for _, m := range idRE.FindAllStringSubmatch(string(info), -1) {
			ids[m[1]], _ = strconv.Atoi(m[2])
		}
		switch target {
		case "anon_inode:bpf-prog":
			o.progs = append(o.progs, ids["prog_id"])
		case "anon_inode:bpf_link":
			o.links = append(o.links, ids["link_id"])
		case "anon_inode:bpf-map":
			o.maps = append(o.maps, ids["map_id"])
		}
	}
	return o
}

// bpftoolObjects lists what bpftool shows: kind is "prog", "link" or "map".
func bpftoolObjects(t *testing.T, kind string) []map[string]any {
	t.Helper()
	out, err := exec.Command("bpftool", "-j", kind, "show").Output()
	if err != nil {
		t.Fatalf("bpftool %s show: %v", kind, err)
	}
	var objs []map[string]any
	if err := json.Unmarshal(out, &objs); err != nil {
		t.Fatalf("bpftool %s show: %v\n%.300s", kind, err, out)
	}
	return objs
}

func objID(o map[string]any) int { f, _ := o["id"].(float64); return int(f) }

// traceePrograms is the ids of loaded programs named tracee_*.
func traceePrograms(t *testing.T) map[int]string {
	t.Helper()
	progs := map[int]string{}
	for _, p := range bpftoolObjects(t, "prog") {
		if name, _ := p["name"].(string); strings.HasPrefix(name, "tracee_") {
			progs[objID(p)] = name
		}
	}
	return progs
}

// otherTracers lists tracee-ebpf processes other than skip (other tests
// on this machine may run one; the before/after counts then differ).
func otherTracers(skip int) []int {
	var pids []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == skip {
			continue
		}
		if comm, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "comm")); strings.TrimSpace(string(comm)) == "tracee-ebpf" {
			pids = append(pids, pid)
		}
	}
	return pids
}

func requireBpftool(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("bpftool"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("bpftool not installed (apt-get install bpftool)")
		}
		t.Skip("bpftool not installed")
	}
}

// SIGINT and SIGTERM both end a run with exit 0, the summary and the pid
// file removed, and every program, link and map it created gone from the
// kernel (by id, which is exact while other tracers run; and by count of
// tracee_* programs when none does).
func TestEbpfLifecycleSignals(t *testing.T) {
	requirePrivileged(t)
	requireBpftool(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			before := traceePrograms(t)
			tr := StartJSON(t, "comm=nosuchcomm7", "event=openat,execve")
			pidData, err := os.ReadFile(tr.PidFile())
			if err != nil {
				t.Fatalf("pid file: %v", err)
			}
			if strings.TrimSpace(string(pidData)) != strconv.Itoa(tr.Pid()) {
				t.Errorf("pid file says %q, tracer is %d", pidData, tr.Pid())
			}
			held := heldBPF(t, tr.Pid())
			during := traceePrograms(t)
			if len(held.progs) == 0 || len(held.links) == 0 || len(held.maps) == 0 {
				t.Fatalf("tracer holds %d programs, %d links, %d maps; want some of each", len(held.progs), len(held.links), len(held.maps))
			}
			for _, id := range held.progs {
				if _, ok := during[id]; !ok {
					t.Errorf("program %d held by the tracer is not listed as tracee_*: %v", id, during)
				}
			}
			linked := map[int]int{} // link id -> prog id, as bpftool shows them
			for _, l := range bpftoolObjects(t, "link") {
				p, _ := l["prog_id"].(float64)
				linked[objID(l)] = int(p)
			}
			for _, id := range held.links {
				if _, ok := during[linked[id]]; !ok {
					t.Errorf("link %d (program %d) is not a tracee_* program's", id, linked[id])
				}
			}
			others := otherTracers(tr.Pid())

			if code := tr.Stop(sig); code != 0 {
				t.Errorf("exit code %d after %v\n%s", code, sig, tr.Diagnostics())
			}
			if !strings.Contains(tr.Stderr(), "End of events stream") {
				t.Errorf("no summary on stderr after %v:\n%s", sig, tr.Stderr())
			}
			if _, err := os.Stat(tr.PidFile()); !os.IsNotExist(err) {
				t.Errorf("pid file still there after exit (%v)", err)
			}
			// the kernel frees objects when the last reference goes; allow it a moment
			gone := func(kind string, ids []int) []int {
				var left []int
				pollUntil(5*time.Second, func() bool {
					left = left[:0]
					live := map[int]bool{}
					for _, o := range bpftoolObjects(t, kind) {
						live[objID(o)] = true
					}
					for _, id := range ids {
						if live[id] {
							left = append(left, id)
						}
					}
					return len(left) == 0
				})
				return left
			}
			for kind, ids := range map[string][]int{"prog": held.progs, "link": held.links, "map": held.maps} {
				if left := gone(kind, ids); len(left) > 0 {
					t.Errorf("%s ids %v still loaded after exit", kind, left)
				}
			}
			after := traceePrograms(t)
			if len(others) == 0 && len(otherTracers(0)) == 0 {
				if len(after) != len(before) || len(during) < len(before)+len(held.progs) {
					t.Errorf("tracee_* programs: %d before, %d while running (%d ours), %d after", len(before), len(during), len(held.progs), len(after))
				}
			} else {
				t.Logf("other tracee-ebpf processes %v ran meanwhile: program counts (%d/%d/%d) not compared", others, len(before), len(during), len(after))
			}
		})
	}
}

// Without CAP_SYS_ADMIN (or CAP_BPF with CAP_PERFMON) tracee-ebpf refuses
// to start, naming what is missing, and loads nothing.
func TestEbpfLifecycleUnprivileged(t *testing.T) {
	requirePrivileged(t)
	dir := sharedDir(t)
	exe := copyProgram(t, bin("tracee-ebpf"), dir, "tracee-ebpf")
	install := filepath.Join(dir, "install")
	os.Mkdir(install, 0o777)
	os.Chmod(install, 0o777)
	cases := []struct {
		name    string
		setpriv []string
		want    []string
	}{
		{"nobody", []string{"--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all"}, []string{"CAP_BPF", "CAP_SYS_ADMIN"}},
		{"root-without-caps", []string{"--inh-caps=-all", "--bounding-set=-all"}, []string{"CAP_BPF", "CAP_SYS_ADMIN"}},
		{"root-with-only-bpf", []string{"--inh-caps=-all", "--bounding-set=-all,+bpf"}, []string{"CAP_PERFMON", "CAP_SYS_ADMIN"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := len(traceeProgramsOrNil(t))
			args := append(append([]string{}, c.setpriv...), exe, "--install-path", install, "--output", "format:json")
			cmd := exec.Command("setpriv", args...)
			var out lockedBuffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			if !waitTimeout(cmd, tracerTimeout) {
				t.Fatalf("unprivileged tracee-ebpf kept running:\n%s", out.String())
			}
			msg := out.String()
			if cmd.ProcessState.ExitCode() == 0 {
				t.Fatalf("exit 0 without privileges:\n%s", msg)
			}
			if strings.Contains(msg, "setpriv:") {
				t.Skipf("setpriv could not set up the case: %s", msg)
			}
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error does not name %s:\n%s", w, msg)
				}
			}
			if strings.Contains(msg, "attached") {
				t.Errorf("attached probes without privileges:\n%s", msg)
			}
			if _, err := os.Stat(filepath.Join(install, "out", "tracee.pid")); err == nil {
				t.Errorf("pid file written by a refused run")
			}
			if after := len(traceeProgramsOrNil(t)); after > before && len(otherTracers(0)) == 0 {
				t.Errorf("tracee_* programs %d -> %d across a refused run", before, after)
			}
		})
	}
}

// traceeProgramsOrNil is traceePrograms when bpftool is there.
func traceeProgramsOrNil(t *testing.T) map[int]string {
	if _, err := exec.LookPath("bpftool"); err != nil {
		return nil
	}
	return traceePrograms(t)
}

// --list: a header, then every event with id, sets, typed arguments and
// whether this kernel can produce it; events that need kprobes or LSM BPF
// are marked unavailable exactly when the tracer reports those missing.
func TestEbpfLifecycleList(t *testing.T) {
	list, raw := listEbpf(t)
	if h := strings.Fields(strings.SplitN(raw, "\n", 2)[0]); strings.Join(h, " ") != "ID EVENT SETS ARGUMENTS AVAILABILITY I386" {
		t.Errorf("header %q", h)
	}
	if len(list) < 300 {
		t.Errorf("only %d events listed", len(list))
	}
	// the i386 syscalls reported as each event (compat: int $0x80, -m32)
	for ev, want := range map[string]string{"ptrace": "26", "init_module": "128", "mmap": "90,192",
		"connect": "362,socketcall:3", "sched_process_exec": "-"} {
		if got := list[ev].i386; got != want {
			t.Errorf("%s: I386 %q, want %q", ev, got, want)
		}
	}
	// what this kernel lacks, as the tracer itself reports at start
	tr := StartJSON(t, "comm=nosuchcomm7")
	tr.Stop(syscall.SIGINT)
	m := regexp.MustCompile(`unavailable: ([a-z_,]+)`).FindStringSubmatch(tr.Stderr())
	unavailable := map[string]bool{}
	if m != nil {
		for _, f := range strings.Split(m[1], ",") {
			unavailable[f] = true
		}
	}
	for _, c := range []struct {
		event, id, sig string
		sets           []string
		needs          string // facility, "" for none
	}{
		{"openat", "257", "(int dirfd, const char* pathname, int flags, umode_t mode)", []string{"syscalls", "fs"}, ""},
		{"execve", "59", "(const char* pathname, const char*const* argv, const char*const* envp)", []string{"syscalls", "proc"}, ""},
		{"ptrace", "101", "(long request, pid_t pid, void* addr, void* data)", []string{"syscalls"}, ""},
		{"sched_process_exec", "1003", "", []string{"proc"}, ""},
		{"magic_write", "1015", "(const char* pathname, bytes bytes, dev_t dev, unsigned long inode)", nil, ""},
		{"socket_dup", "1013", "(int oldfd, int newfd, struct sockaddr* remote_addr)", nil, ""},
		{"cap_capable", "1007", "(int cap)", nil, "kprobe"},
		{"do_init_module", "1034", "", nil, "kprobe"},
		{"security_socket_bind", "1022", "", nil, "lsm"},
		{"security_bpf", "1024", "", nil, "lsm"},
	} {
		e, ok := list[c.event]
		if !ok {
			t.Errorf("%s not listed", c.event)
			continue
		}
		if e.id != c.id {
			t.Errorf("%s: id %s, want %s", c.event, e.id, c.id)
		}
		if c.sig != "" && e.signature != c.sig {
			t.Errorf("%s: arguments %s, want %s", c.event, e.signature, c.sig)
		}
		for _, s := range c.sets {
			if !slices.Contains(e.sets, s) {
				t.Errorf("%s: sets %v lack %s", c.event, e.sets, s)
			}
		}
		want := "yes"
		if c.needs != "" && unavailable[c.needs] {
			want = "no: needs " + c.needs
		}
		if e.available != want {
			t.Errorf("%s: availability %q, want %q (kernel lacks %v)", c.event, e.available, want, unavailable)
		}
	}
	for name, e := range list {
		if need, ok := strings.CutPrefix(e.available, "no: needs "); ok {
			for _, n := range strings.Split(need, ",") {
				if !unavailable[n] {
					t.Errorf("%s marked %q, but the tracer reports %s available", name, e.available, n)
				}
			}
		}
	}
}
