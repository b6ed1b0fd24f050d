package e2e

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// tracee-ebpf's --trace filters, each kind, against real processes: a
// workload the filter selects and a control it must leave out run while
// the tracer is up; the test waits for the selected one's event (so the
// control's, which ran first, would have been printed already), stops the
// tracer and checks every event it printed.

// runWorkload runs argv to completion (its exit status is ignored: some
// workloads fail on purpose) and returns its pid.
func runWorkload(t *testing.T, argv ...string) int {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	if out, err := cmd.CombinedOutput(); err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("%v: %v\n%s", argv, err, out)
		}
	}
	return cmd.Process.Pid
}

// openedBy matches an openat of path by host pid (any pid when pid is 0).
func openedBy(pid int, path string) func(EbpfEvent) bool {
	return func(e EbpfEvent) bool {
		return e.EventName == "openat" && (pid == 0 || e.HostProcessID == pid) && e.Str("pathname") == path
	}
}

func byPid(pid int) func(EbpfEvent) bool {
	return func(e EbpfEvent) bool { return e.HostProcessID == pid }
}

// mustNone fails when any event matches.
func mustNone(t *testing.T, evs []EbpfEvent, what string, match func(EbpfEvent) bool) {
	t.Helper()
	if bad := filterEvents(evs, match); len(bad) > 0 {
		t.Errorf("%d events of %s, want none:\n%s", len(bad), what, describeEvents(bad))
	}
}

// mustAll fails when an event does not satisfy want.
func mustAll(t *testing.T, evs []EbpfEvent, what string, want func(EbpfEvent) bool) {
	t.Helper()
	bad := filterEvents(evs, func(e EbpfEvent) bool { return !want(e) })
	if len(bad) > 0 {
		t.Errorf("%d of %d events are not %s:\n%s", len(bad), len(evs), what, describeEvents(bad))
	}
}

func TestEbpfFilterComm(t *testing.T) {
	dir := sharedDir(t)
	cat := copyProgram(t, "/bin/cat", dir, "catzz7")
	other := copyProgram(t, "/bin/cat", dir, "catzz8")
	tr := StartJSON(t, "comm=catzz7", "event=openat,sched_process_exec")
	ctl := runWorkload(t, other, "/etc/hostname")
	pid := runWorkload(t, cat, "/etc/hostname")
	tr.MustEvent("catzz7 opening /etc/hostname", openedBy(pid, "/etc/hostname"))
	evs := tr.StopEvents()
	mustAll(t, evs, "of comm catzz7", func(e EbpfEvent) bool { return e.ProcessName == "catzz7" })
	mustNone(t, evs, "the control catzz8", byPid(ctl))
	if len(filterEvents(evs, func(e EbpfEvent) bool {
		return e.EventName == "sched_process_exec" && e.HostProcessID == pid && e.Str("pathname") == cat
	})) != 1 {
		t.Errorf("want one sched_process_exec of %s by %d:\n%s", cat, pid, describeEvents(evs))
	}
}

// Two gated processes A and B each exec cat /etc/hostname; each case's
// filter selects some of them.
func TestEbpfFilterPid(t *testing.T) {
	cases := []struct {
		name  string
		trace func(a, b int) []string
		order func(a, b int) bool // precondition on the pids (nil: none)
		wantA bool
		wantB bool
		exact bool // every event is from a selected process
	}{
		{name: "eq", trace: func(a, b int) []string { return []string{"pid=" + strconv.Itoa(a)} }, wantA: true, exact: true},
		{name: "eq-list", trace: func(a, b int) []string { return []string{fmt.Sprintf("pid=%d,%d", a, b)} }, wantA: true, wantB: true, exact: true},
		{name: "ne", trace: func(a, b int) []string { return []string{"pid!=" + strconv.Itoa(a), "comm=cat"} }, wantB: true},
		{name: "gt", trace: func(a, b int) []string { return []string{"pid>" + strconv.Itoa(a), "comm=cat"} },
			order: func(a, b int) bool { return b > a }, wantB: true},
		{name: "lt", trace: func(a, b int) []string { return []string{"pid<" + strconv.Itoa(b), "comm=cat"} },
			order: func(a, b int) bool { return a < b }, wantA: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			script := "read x; exec cat /etc/hostname"
			a := StartGated(t, "sh", "-c", script)
			b := StartGated(t, "sh", "-c", script)
			if c.order != nil && !c.order(a.Pid(), b.Pid()) {
				t.Skipf("pids %d, %d wrapped around", a.Pid(), b.Pid())
			}
			tr := StartJSON(t, append(c.trace(a.Pid(), b.Pid()), "event=openat,execve,sched_process_exec")...)
			// the one left out goes first
			first, second := a, b
			if c.wantA && !c.wantB {
				first, second = b, a
			}
			first.Release()
			second.Release()
			for _, g := range []struct {
				want bool
				pid  int
			}{{c.wantA, a.Pid()}, {c.wantB, b.Pid()}} {
				if g.want {
					tr.MustEvent(fmt.Sprintf("pid %d opening /etc/hostname", g.pid), openedBy(g.pid, "/etc/hostname"))
				}
			}
			evs := tr.StopEvents()
			if !c.wantA {
				mustNone(t, evs, "A (excluded)", byPid(a.Pid()))
			}
			if !c.wantB {
				mustNone(t, evs, "B (excluded)", byPid(b.Pid()))
			}
			if c.exact {
				mustAll(t, evs, "from the selected pids", func(e EbpfEvent) bool {
					return (c.wantA && e.HostProcessID == a.Pid()) || (c.wantB && e.HostProcessID == b.Pid())
				})
				// the gated shell's exec of cat is seen too, before and after
				for _, g := range []struct {
					want bool
					pid  int
				}{{c.wantA, a.Pid()}, {c.wantB, b.Pid()}} {
					if g.want && len(filterEvents(evs, func(e EbpfEvent) bool {
						return e.EventName == "execve" && e.HostProcessID == g.pid && e.Str("pathname") == "/usr/bin/cat"
					})) == 0 {
						t.Errorf("no execve of /usr/bin/cat by %d:\n%s", g.pid, describeEvents(evs))
					}
				}
			}
		})
	}
}

func TestEbpfFilterUID(t *testing.T) {
	dir := sharedDir(t)
	cat := copyProgram(t, "/bin/cat", dir, "catuid7")
	tr := StartJSON(t, "uid=65534", "event=openat,sched_process_exec")
	root := runWorkload(t, cat, "/etc/hostname")
	nobody := runWorkload(t, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", cat, "/etc/hostname")
	e := tr.MustEvent("uid 65534 opening /etc/hostname", openedBy(nobody, "/etc/hostname"))
	if e.ProcessName != "catuid7" {
		t.Errorf("processName %q, want catuid7", e.ProcessName)
	}
	evs := tr.StopEvents()
	mustAll(t, evs, "of uid 65534", func(e EbpfEvent) bool { return e.UserID == 65534 })
	mustNone(t, evs, "the root run", byPid(root))
}

// comm=PARENT selects the parent only; with follow its children too.
func TestEbpfFilterFollow(t *testing.T) {
	for _, follow := range []bool{true, false} {
		t.Run(fmt.Sprintf("follow=%v", follow), func(t *testing.T) {
			dir := sharedDir(t)
			sh := copyProgram(t, "/bin/sh", dir, "parzz7")
			trace := []string{"comm=parzz7", "event=openat,sched_process_exec"}
			if follow {
				trace = append(trace, "follow")
			}
			tr := StartJSON(t, trace...)
			// cat is forked (not the last command); the redirect opens
			// /dev/null in the parent after the child has exited
			parent := runWorkload(t, sh, "-c", "cat /etc/hostname; : > /dev/null")
			tr.MustEvent("the parent opening /dev/null", openedBy(parent, "/dev/null"))
			evs := tr.StopEvents()
			children := filterEvents(evs, func(e EbpfEvent) bool { return e.HostParentProcessID == parent })
			if follow {
				if len(filterEvents(children, func(e EbpfEvent) bool {
					return e.ProcessName == "cat" && openedBy(e.HostProcessID, "/etc/hostname")(e)
				})) != 1 {
					t.Errorf("want the child cat's openat of /etc/hostname:\n%s", describeEvents(evs))
				}
				mustAll(t, evs, "the parent or its child", func(e EbpfEvent) bool {
					return e.HostProcessID == parent || e.HostParentProcessID == parent
				})
			} else {
				mustNone(t, evs, "the child (no follow)", func(e EbpfEvent) bool { return e.HostParentProcessID == parent })
				mustAll(t, evs, "of comm parzz7", func(e EbpfEvent) bool { return e.ProcessName == "parzz7" })
			}
		})
	}
}

// tree=PID covers the process and what it forks later; an unrelated
// process is left out.
func TestEbpfFilterTree(t *testing.T) {
	g := StartGated(t, "sh", "-c", "read x; cat /etc/hostname; cat /etc/hosts")
	tr := StartJSON(t, "tree="+strconv.Itoa(g.Pid()), "event=openat,sched_process_exec")
	unrelated := runWorkload(t, "cat", "/etc/hostname")
	g.Release()
	tr.MustEvent("the second child opening /etc/hosts", func(e EbpfEvent) bool {
		return openedBy(0, "/etc/hosts")(e) && e.HostParentProcessID == g.Pid()
	})
	evs := tr.StopEvents()
	if len(filterEvents(evs, func(e EbpfEvent) bool {
		return openedBy(0, "/etc/hostname")(e) && e.HostParentProcessID == g.Pid() && e.ProcessName == "cat"
	})) != 1 {
		t.Errorf("want the first child's openat of /etc/hostname:\n%s", describeEvents(evs))
	}
	mustNone(t, evs, "the unrelated cat", byPid(unrelated))
	mustAll(t, evs, "the root or its children", func(e EbpfEvent) bool {
		return e.HostProcessID == g.Pid() || e.HostParentProcessID == g.Pid()
	})
}

// pid=new: a process started before the tracer is left out even when it
// execs afterwards; one started after is traced.
func TestEbpfFilterNewPid(t *testing.T) {
	dir := sharedDir(t)
	cat := copyProgram(t, "/bin/cat", dir, "catnew7")
	old := StartGated(t, "sh", "-c", "read x; exec "+cat+" /etc/hostname")
	tr := StartJSON(t, "pid=new", "comm=catnew7", "event=openat,sched_process_exec")
	old.Release()
	fresh := runWorkload(t, cat, "/etc/hostname")
	tr.MustEvent("the new process opening /etc/hostname", openedBy(fresh, "/etc/hostname"))
	evs := tr.StopEvents()
	mustNone(t, evs, "the process older than the tracer", byPid(old.Pid()))
}

// listedSets maps each event to its sets, from tracee-ebpf --list.
func listedSets(t *testing.T) map[string][]string {
	t.Helper()
	out, err := exec.Command(bin("tracee-ebpf"), "--list").Output()
	if err != nil {
		t.Fatalf("tracee-ebpf --list: %v", err)
	}
	sets := map[string][]string{}
	for i, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if i == 0 || len(f) < 3 {
			continue
		}
		sets[f[1]] = strings.Split(f[2], ",")
	}
	return sets
}

// Event selection: prefix globs, exclusion and sets.
func TestEbpfFilterEvents(t *testing.T) {
	sets := listedSets(t)
	cases := []struct {
		name    string
		trace   []string
		must    []string // event names that must appear
		allowed func(name string) bool
	}{
		{"prefix", []string{"event=open*"}, []string{"openat"},
			func(n string) bool { return strings.HasPrefix(n, "open") }},
		{"exclude", []string{"event=openat,read,close", "event!=close"}, []string{"openat", "read"},
			func(n string) bool { return n == "openat" || n == "read" }},
		{"exclude-from-set", []string{"set=fs", "event!=close"}, []string{"openat"},
			func(n string) bool { return n != "close" && slices.Contains(sets[n], "fs") }},
		{"set", []string{"set=fs"}, []string{"openat", "close"},
			func(n string) bool { return slices.Contains(sets[n], "fs") }},
		{"two-sets", []string{"set=fs,proc_life"}, []string{"openat", "sched_process_exec"},
			func(n string) bool { return slices.Contains(sets[n], "fs") || slices.Contains(sets[n], "proc_life") }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := sharedDir(t)
			cat := copyProgram(t, "/bin/cat", dir, "catev7")
			tr := StartJSON(t, append([]string{"comm=catev7"}, c.trace...)...)
			pid := runWorkload(t, cat, "/etc/hostname")
			tr.MustEvent("catev7 opening /etc/hostname", openedBy(pid, "/etc/hostname"))
			evs := tr.StopEvents()
			for _, name := range c.must {
				if len(filterEvents(evs, func(e EbpfEvent) bool { return e.EventName == name && e.HostProcessID == pid })) == 0 {
					t.Errorf("no %s event from %d", name, pid)
				}
			}
			mustAll(t, evs, "selected by "+strings.Join(c.trace, " "), func(e EbpfEvent) bool { return c.allowed(e.EventName) })
		})
	}
}

// Argument and return-value filters (applied in user space).
func TestEbpfFilterArgs(t *testing.T) {
	cases := []struct {
		name  string
		expr  string
		files []string
		want  map[string]int64 // pathname -> return value sign (0: >= 0, -1: < 0)
	}{
		{"prefix", "openat.pathname=/etc/host*", []string{"/etc/hostname", "/etc/hosts", "/etc/passwd"},
			map[string]int64{"/etc/hostname": 0, "/etc/hosts": 0}},
		{"exact", "openat.pathname=/etc/passwd", []string{"/etc/hostname", "/etc/passwd"},
			map[string]int64{"/etc/passwd": 0}},
		{"args-form", "openat.args.pathname=/etc/hosts", []string{"/etc/hostname", "/etc/hosts"},
			map[string]int64{"/etc/hosts": 0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := sharedDir(t)
			cat := copyProgram(t, "/bin/cat", dir, "catarg7")
			tr := StartJSON(t, "comm=catarg7", c.expr)
			pid := runWorkload(t, append([]string{cat}, c.files...)...)
			for path := range c.want {
				tr.MustEvent("openat of "+path, openedBy(pid, path))
			}
			evs := tr.StopEvents()
			mustAll(t, evs, "openat events the filter passes", func(e EbpfEvent) bool {
				sign, ok := c.want[e.Str("pathname")]
				return e.EventName == "openat" && ok && (e.ReturnValue < 0) == (sign < 0)
			})
			for path, sign := range c.want {
				for _, e := range filterEvents(evs, openedBy(pid, path)) {
					if sign < 0 && e.ReturnValue != -2 {
						t.Errorf("openat %s returned %d, want -2 (ENOENT)", path, e.ReturnValue)
					}
				}
			}
		})
	}
}

// openat.retval<0 passes the failed opens (the missing file, and the
// locale files the C library probes) and none that succeeded.
func TestEbpfFilterRetval(t *testing.T) {
	dir := sharedDir(t)
	cat := copyProgram(t, "/bin/cat", dir, "catret7")
	tr := StartJSON(t, "comm=catret7", "openat.retval<0")
	pid := runWorkload(t, cat, "/nonexistent-zz7", "/etc/hostname")
	e := tr.MustEvent("the failed openat", openedBy(pid, "/nonexistent-zz7"))
	if e.ReturnValue != -2 {
		t.Errorf("openat of a missing file returned %d, want -2 (ENOENT)", e.ReturnValue)
	}
	evs := tr.StopEvents()
	mustAll(t, evs, "failed openat", func(e EbpfEvent) bool { return e.EventName == "openat" && e.ReturnValue < 0 })
	mustNone(t, evs, "the successful open of /etc/hostname", openedBy(0, "/etc/hostname"))
}

// waitNs waits until the namespace link ns of pid differs from ours (the
// unshare has happened) and returns its inode.
func waitNs(t *testing.T, pid int, ns string) uint64 {
	t.Helper()
	self := nsIno(t, "/proc/self/ns/"+ns)
	var ino uint64
	if !pollUntil(5*time.Second, func() bool {
		var err error
		ino, err = statIno(fmt.Sprintf("/proc/%d/ns/%s", pid, ns))
		return err == nil && ino != self
	}) {
		t.Fatalf("process %d never left our %s namespace", pid, ns)
	}
	return ino
}

func statIno(path string) (uint64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return inodeOf(fi), nil
}

// mntns= selects the processes of one mount namespace.
func TestEbpfFilterMntNS(t *testing.T) {
	dir := sharedDir(t)
	cat := copyProgram(t, "/bin/cat", dir, "catmnt7")
	g := StartGated(t, "unshare", "-m", "sh", "-c", "read x; exec "+cat+" /etc/hostname")
	ino := waitNs(t, g.Pid(), "mnt")
	tr := StartJSON(t, "mntns="+strconv.FormatUint(ino, 10), "event=openat,sched_process_exec")
	host := runWorkload(t, cat, "/etc/hostname")
	g.Release()
	e := tr.MustEvent("the unshared process opening /etc/hostname", openedBy(g.Pid(), "/etc/hostname"))
	if e.ProcessName != "catmnt7" {
		t.Errorf("processName %q, want catmnt7", e.ProcessName)
	}
	evs := tr.StopEvents()
	mustAll(t, evs, "in mount namespace "+strconv.FormatUint(ino, 10), func(e EbpfEvent) bool { return e.MountNamespace == ino })
	mustNone(t, evs, "the host run", byPid(host))
}

// pidns= selects the processes of one pid namespace; their processId is
// the namespace's (1), hostProcessId the host's.
func TestEbpfFilterPidNS(t *testing.T) {
	dir := sharedDir(t)
	cat := copyProgram(t, "/bin/cat", dir, "catpns7")
	g := StartGated(t, "unshare", "-fp", "sh", "-c", "read x; exec "+cat+" /etc/hostname")
	ino := waitNs(t, g.Pid(), "pid_for_children")
	tr := StartJSON(t, "pidns="+strconv.FormatUint(ino, 10), "event=openat,sched_process_exec")
	host := runWorkload(t, cat, "/etc/hostname")
	g.Release()
	e := tr.MustEvent("catpns7 opening /etc/hostname", func(e EbpfEvent) bool {
		return openedBy(0, "/etc/hostname")(e) && e.ProcessName == "catpns7"
	})
	if e.ProcessID != 1 || e.HostProcessID == 1 {
		t.Errorf("processId %d hostProcessId %d, want 1 in the namespace and another on the host", e.ProcessID, e.HostProcessID)
	}
	if e.HostParentProcessID != g.Pid() {
		t.Errorf("hostParentProcessId %d, want unshare's %d", e.HostParentProcessID, g.Pid())
	}
	evs := tr.StopEvents()
	mustAll(t, evs, "in pid namespace "+strconv.FormatUint(ino, 10), func(e EbpfEvent) bool { return e.PidNamespace == ino })
	mustNone(t, evs, "the host run", byPid(host))
}

// uts= selects by host name (the UTS namespace's nodename).
func TestEbpfFilterUTS(t *testing.T) {
	dir := sharedDir(t)
	cat := copyProgram(t, "/bin/cat", dir, "catuts7")
	g := StartGated(t, "unshare", "-u", "sh", "-c", "hostname utszz7 && echo ready; read x; exec "+cat+" /etc/hostname")
	if !pollUntil(5*time.Second, func() bool { return strings.Contains(g.Output(), "ready") }) {
		t.Fatalf("the shell did not set its host name: %s", g.Output())
	}
	tr := StartJSON(t, "uts=utszz7", "event=openat,sched_process_exec")
	host := runWorkload(t, cat, "/etc/hostname")
	g.Release()
	e := tr.MustEvent("the renamed host's cat", openedBy(g.Pid(), "/etc/hostname"))
	if e.HostName != "utszz7" {
		t.Errorf("hostName %q, want utszz7", e.HostName)
	}
	evs := tr.StopEvents()
	mustAll(t, evs, "of host name utszz7", func(e EbpfEvent) bool { return e.HostName == "utszz7" })
	mustNone(t, evs, "the run on the real host name", byPid(host))
}

// cgroup2Mount is the cgroup2 mount point from /proc/mounts.
func cgroup2Mount(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("/proc/mounts")
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && f[2] == "cgroup2" {
			found = append(found, f[1])
		}
	}
	if slices.Contains(found, "/sys/fs/cgroup") {
		return "/sys/fs/cgroup"
	}
	if len(found) == 0 {
		t.Skip("no cgroup2 mount")
	}
	return found[0]
}

// fakeContainer creates a docker-style cgroup (<cgroup2>/docker-<id>.scope)
// and returns its id and directory; cleanup moves what is left in it back
// to the root cgroup and removes it.
func fakeContainer(t *testing.T) (id, dir string) {
	t.Helper()
	root := cgroup2Mount(t)
	b := make([]byte, 32)
	rand.Read(b)
	id = hex.EncodeToString(b)
	dir = filepath.Join(root, "docker-"+id+".scope")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatalf("create cgroup: %v", err)
	}
	t.Cleanup(func() {
		if data, err := os.ReadFile(filepath.Join(dir, "cgroup.procs")); err == nil {
			for _, p := range strings.Fields(string(data)) {
				os.WriteFile(filepath.Join(root, "cgroup.procs"), []byte(p), 0)
			}
		}
		if !pollUntil(5*time.Second, func() bool { return os.Remove(dir) == nil }) {
			t.Errorf("could not remove cgroup %s", dir)
		}
	})
	return id, dir
}

// container / !container / container=ID: a process in its own mount
// namespace inside a docker-style cgroup is a container's, with its id;
// the same program on the host is not. Three tracers watch one workload.
func TestEbpfFilterContainer(t *testing.T) {
	dir := sharedDir(t)
	cat := copyProgram(t, "/bin/cat", dir, "catctr7")
	id, cg := fakeContainer(t)
	g := StartGated(t, "unshare", "-m", "sh", "-c", "read x; exec "+cat+" /etc/hostname")
	waitNs(t, g.Pid(), "mnt")
	if err := os.WriteFile(filepath.Join(cg, "cgroup.procs"), []byte(strconv.Itoa(g.Pid())), 0); err != nil {
		t.Fatalf("move %d into %s: %v", g.Pid(), cg, err)
	}
	common := []string{"comm=catctr7", "event=openat,sched_process_exec"}
	in := StartJSON(t, append([]string{"container"}, common...)...)
	out := StartJSON(t, append([]string{"!container"}, common...)...)
	byID := StartJSON(t, append([]string{"container=" + id[:12]}, common...)...)
	host := runWorkload(t, cat, "/etc/hostname")
	g.Release()

	out.MustEvent("the host run (!container)", openedBy(host, "/etc/hostname"))
	for name, tr := range map[string]*Tracer{"container": in, "container=ID": byID} {
		e := tr.MustEvent("the container process ("+name+")", openedBy(g.Pid(), "/etc/hostname"))
		if e.ContainerID != id {
			t.Errorf("%s: containerId %q, want %q\n%s", name, e.ContainerID, id, e)
		}
	}
	// let the in-container events reach !container before it stops
	time.Sleep(500 * time.Millisecond)
	for name, tr := range map[string]*Tracer{"container": in, "container=ID": byID} {
		evs := tr.StopEvents()
		mustAll(t, evs, "the container's ("+name+")", func(e EbpfEvent) bool {
			return e.HostProcessID == g.Pid() && e.ContainerID == id
		})
	}
	evs := out.StopEvents()
	mustNone(t, evs, "the container process (!container)", byPid(g.Pid()))
	mustAll(t, evs, "host events (!container)", func(e EbpfEvent) bool { return e.ContainerID == "" })
}

// A bad --trace expression is refused before anything is loaded: exit 1
// and an error that quotes the expression.
func TestEbpfFilterBadExpression(t *testing.T) {
	requirePrivileged(t)
	cases := []struct{ expr, why string }{
		{"pid=abc", "pid expects a number"},
		{"uid=-1", "uid expects a number"},
		{"event=no_such_event_zz", "unknown event"},
		{"comm=averyveryverylongcommname", "at most 15 bytes"},
		{"tree=0", "tree expects process ids"},
		{"frobnicate=1", "unknown filter"},
		{"openat.pathname<5", ""},
		{"mntns>5", "only takes = or !="},
		{"pidns<7", "only takes = or !="},
		{"pid>10", ""}, // fine alone; paired below with pid<5, an empty range
	}
	for _, c := range cases {
		t.Run(c.expr, func(t *testing.T) {
			args := []string{"--install-path", t.TempDir(), "--output", "format:json", "--trace", c.expr}
			if c.expr == "pid>10" {
				args = append(args, "--trace", "pid<5")
				c.why = "empty range"
			}
			cmd := exec.Command(bin("tracee-ebpf"), args...)
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			cmd.Start()
			if !waitTimeout(cmd, tracerTimeout) {
				t.Fatalf("tracee-ebpf kept running with --trace %s", c.expr)
			}
			if cmd.ProcessState.ExitCode() == 0 {
				t.Fatalf("exit 0 for --trace %s; stderr:\n%s", c.expr, stderr.String())
			}
			msg := stderr.String()
			if c.expr != "pid>10" && !strings.Contains(msg, c.expr) {
				t.Errorf("error does not name %q:\n%s", c.expr, msg)
			}
			if c.why != "" && !strings.Contains(msg, c.why) {
				t.Errorf("error does not say %q:\n%s", c.why, msg)
			}
			if strings.Contains(msg, "attached") || stdout.Len() > 0 {
				t.Errorf("probes were attached or events printed for a bad expression:\n%s%s", msg, stdout.String())
			}
		})
	}
}

func inodeOf(fi os.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return st.Ino
	}
	return 0
}
