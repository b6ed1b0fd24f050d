package proctree

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func writeProc(t *testing.T, root string, pid, ppid int, comm string, nspid []int, pidns uint32) {
	t.Helper()
	dir := filepath.Join(root, fmt.Sprint(pid))
	if err := os.MkdirAll(filepath.Join(dir, "ns"), 0o755); err != nil {
		t.Fatal(err)
	}
	// 52 fields like the real file; starttime (field 22) = 250 ticks.
	fields := make([]string, 50)
	for i := range fields {
		fields[i] = "0"
	}
	fields[0] = "S"
	fields[1] = fmt.Sprint(ppid)
	fields[19] = "250"
	stat := fmt.Sprintf("%d (%s) %s\n", pid, comm, strings.Join(fields, " "))
	var ns []string
	for _, n := range nspid {
		ns = append(ns, fmt.Sprint(n))
	}
	status := fmt.Sprintf("Name:\t%s\nNSpid:\t%s\nPPid:\t%d\n", comm, strings.Join(ns, "\t"), ppid)
	for name, content := range map[string]string{"stat": stat, "status": status} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(fmt.Sprintf("pid:[%d]", pidns), filepath.Join(dir, "ns", "pid")); err != nil {
		t.Fatal(err)
	}
}

func fakeProc(t *testing.T) string {
	root := t.TempDir()
	const host, cont = 4026531836, 4026532000
	writeProc(t, root, 1, 0, "systemd", []int{1}, host)
	writeProc(t, root, 100, 1, "containerd-shim", []int{100}, host)
	writeProc(t, root, 200, 100, "my (weird) sh", []int{200, 1}, cont) // comm with parens and space
	writeProc(t, root, 201, 200, "sleep", []int{201, 7}, cont)
	if err := os.WriteFile(filepath.Join(root, "stat"), []byte("cpu  1 2 3\nbtime 1700000000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "self", "ns"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(fmt.Sprintf("pid:[%d]", host), filepath.Join(root, "self", "ns", "pid")); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "notapid"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, "999"), 0o755); err != nil { // vanished: no stat
		t.Fatal(err)
	}
	return root
}

func TestSeedFromFakeProc(t *testing.T) {
	tr := New(Config{})
	n, err := tr.SeedFromProc(fakeProc(t))
	if err != nil {
		t.Fatal(err)
	}
	if n != 4 || tr.Len() != 4 {
		t.Fatalf("seeded %d (len %d), want 4", n, tr.Len())
	}
	p, ok := tr.Lookup(200)
	if !ok || p.Comm != "my (weird) sh" || p.HostPPID != 100 || p.PID != 1 || p.PidNS != 4026532000 {
		t.Fatalf("pid 200 = %+v", p)
	}
	if want := int64(1700000000)*1e9 + 250*1e7; p.StartTime != want {
		t.Errorf("start time %d, want %d", p.StartTime, want)
	}
	anc := tr.Ancestry(201, 10)
	var got []string
	for _, a := range anc {
		got = append(got, fmt.Sprintf("%d/%d/%s", a.HostPid, a.Pid, a.Comm))
	}
	if want := "200/1/my (weird) sh,100/100/containerd-shim,1/1/systemd"; strings.Join(got, ",") != want {
		t.Fatalf("ancestry %v, want %s", got, want)
	}
	if a := tr.Ancestry(201, 1); len(a) != 1 || a[0].HostPid != 200 {
		t.Fatalf("max 1 ancestry = %v", a)
	}
	for _, tc := range []struct {
		ns       uint32
		pid      int32
		want     int32
		resolved bool
	}{
		{4026532000, 7, 201, true},
		{4026532000, 1, 200, true},
		{4026531836, 100, 100, true},
		{4026532000, 100, 0, false},
		{1234, 7, 0, false},
	} {
		got, ok := tr.ResolvePid(tc.ns, tc.pid)
		if got != tc.want || ok != tc.resolved {
			t.Errorf("ResolvePid(%d, %d) = %d, %v; want %d, %v", tc.ns, tc.pid, got, ok, tc.want, tc.resolved)
		}
	}
}

func TestSeedFromRealProc(t *testing.T) {
	tr := New(Config{})
	if _, err := tr.SeedFromProc("/proc"); err != nil {
		t.Fatal(err)
	}
	self, ok := tr.Lookup(int32(os.Getpid()))
	if !ok {
		t.Fatal("own process missing")
	}
	comm, _ := os.ReadFile("/proc/self/comm")
	if self.Comm != strings.TrimSpace(string(comm)) || self.HostPPID != int32(os.Getppid()) {
		t.Fatalf("self = %+v, want comm %q ppid %d", self, comm, os.Getppid())
	}
	if self.StartTime <= 0 || self.StartTime > time.Now().UnixNano() {
		t.Errorf("start time %d not in the past", self.StartTime)
	}
	if hp, ok := tr.ResolvePid(self.PidNS, self.PID); !ok || hp != int32(os.Getpid()) {
		t.Errorf("ResolvePid(own ns, own pid) = %d, %v", hp, ok)
	}
}

func intArg(name string, v int64) *pb.Argument {
	return &pb.Argument{Name: name, Type: "int", Value: &pb.Argument_Int{Int: v}}
}

func forkEv(parent, child, childTid, childNs int32, comm string, ns uint32) *pb.Event {
	return &pb.Event{EventId: int32(events.SchedProcessFork), HostProcessId: parent, HostThreadId: parent, ProcessName: comm, PidNamespace: ns,
		ProcessId: parent, Timestamp: 42,
		Args: []*pb.Argument{intArg("parent_tid", int64(parent)), intArg("parent_pid", int64(parent)),
			intArg("child_tid", int64(childTid)), intArg("child_pid", int64(child)), intArg("child_ns_pid", int64(childNs))}}
}

func TestLifecycle(t *testing.T) {
	c := &clock{t: time.Unix(1000, 0)}
	tr := New(Config{ExitGrace: 5 * time.Second, Now: c.now})
	tr.Put(Process{HostPID: 1, Comm: "init", PID: 1, PidNS: 10})
	tr.Put(Process{HostPID: 50, HostPPID: 1, Comm: "bash", PID: 50, PidNS: 10})

	tr.Update(forkEv(50, 60, 60, 60, "bash", 10))
	tr.Update(forkEv(50, 50, 61, 50, "bash", 10)) // a thread of 50: ignored
	if _, ok := tr.Lookup(61); ok {
		t.Fatal("thread became a process")
	}
	p, ok := tr.Lookup(60)
	if !ok || p.HostPPID != 50 || p.Comm != "bash" || p.StartTime != 42 {
		t.Fatalf("child = %+v", p)
	}
	tr.Update(&pb.Event{EventId: int32(events.SchedProcessExec), HostProcessId: 60, HostThreadId: 60, HostParentProcessId: 50, ProcessName: "ls", PidNamespace: 10, ProcessId: 60})
	if p, _ := tr.Lookup(60); p.Comm != "ls" {
		t.Fatalf("after exec comm = %q", p.Comm)
	}
	// exec with an empty context comm falls back to the pathname.
	tr.Update(&pb.Event{EventId: int32(events.SchedProcessExec), HostProcessId: 60, HostThreadId: 60,
		Args: []*pb.Argument{{Name: "pathname", Value: &pb.Argument_Str{Str: "/usr/bin/a-very-long-program-name"}}}})
	if p, _ := tr.Lookup(60); p.Comm != "a-very-long-pro" {
		t.Fatalf("comm from pathname = %q", p.Comm)
	}
	anc := tr.Ancestry(60, 5)
	if len(anc) != 2 || anc[0].Comm != "bash" || anc[1].Comm != "init" {
		t.Fatalf("ancestry = %v", anc)
	}

	// A thread exit does not end the process.
	tr.Update(&pb.Event{EventId: int32(events.SchedProcessExit), HostProcessId: 60, HostThreadId: 62, Args: []*pb.Argument{{Name: "process_group_exit", Value: &pb.Argument_Bool{Bool: false}}}})
	if p, _ := tr.Lookup(60); p.ExitTime != 0 {
		t.Fatal("thread exit marked the process exited")
	}
	tr.Update(&pb.Event{EventId: int32(events.SchedProcessExit), HostProcessId: 60, HostThreadId: 60, Args: []*pb.Argument{intArg("exit_code", 0), {Name: "process_group_exit", Value: &pb.Argument_Bool{Bool: true}}}})
	c.t = c.t.Add(3 * time.Second)
	// A late event inside the grace period still resolves and does not revive.
	tr.Update(&pb.Event{EventId: 257, HostProcessId: 60, HostThreadId: 60, ProcessName: "zombie"})
	if p, ok := tr.Lookup(60); !ok || p.Comm != "a-very-long-pro" || p.ExitTime == 0 {
		t.Fatalf("late event: %+v %v", p, ok)
	}
	if len(tr.Ancestry(60, 5)) != 2 {
		t.Fatal("ancestry lost within grace")
	}
	c.t = c.t.Add(3 * time.Second)
	// Collection runs at process-lifecycle events (and every 1024th other update).
	tr.Update(&pb.Event{EventId: int32(events.SchedProcessExec), HostProcessId: 50, HostThreadId: 50, ProcessName: "bash"})
	if _, ok := tr.Lookup(60); ok {
		t.Fatal("exited process kept after grace")
	}
	if _, ok := tr.ResolvePid(10, 60); ok {
		t.Fatal("namespace index kept a removed process")
	}
}

func TestNewPidNamespaceChild(t *testing.T) {
	tr := New(Config{})
	tr.SetSelfPidNS(10)
	tr.Put(Process{HostPID: 50, Comm: "unshare", PID: 50, PidNS: 10})
	tr.Update(forkEv(50, 70, 70, 1, "unshare", 10)) // CLONE_NEWPID: pid 1 inside
	if _, ok := tr.ResolvePid(10, 1); ok {
		t.Fatal("pid 1 of the new namespace resolved in the parent's namespace")
	}
	// The child's own event reveals its namespace.
	tr.Update(&pb.Event{EventId: 0, HostProcessId: 70, HostThreadId: 70, HostParentProcessId: 50, ProcessId: 1, PidNamespace: 20, ProcessName: "sh"})
	if hp, ok := tr.ResolvePid(20, 1); !ok || hp != 70 {
		t.Fatalf("ResolvePid(20,1) = %d, %v", hp, ok)
	}
	tr.Update(forkEv(70, 71, 71, 2, "sh", 20))
	if hp, ok := tr.ResolvePid(20, 2); !ok || hp != 71 {
		t.Fatalf("ResolvePid(20,2) = %d, %v", hp, ok)
	}
	if hp, ok := tr.ResolvePid(10, 50); !ok || hp != 50 {
		t.Fatalf("host ns pid = %d, %v", hp, ok)
	}
}

func TestBounded(t *testing.T) {
	c := &clock{t: time.Unix(1000, 0)}
	tr := New(Config{MaxEntries: 64, Now: c.now})
	tr.Put(Process{HostPID: 1, Comm: "init"})
	tr.Put(Process{HostPID: 2, Comm: "exited", ExitTime: 1})
	for i := int32(100); i < 1100; i++ {
		tr.Update(&pb.Event{EventId: 257, HostProcessId: i, HostThreadId: i, ProcessName: "p"})
		tr.Update(&pb.Event{EventId: 257, HostProcessId: 1, HostThreadId: 1, ProcessName: "init"}) // keep init fresh
		if tr.Len() > 64 {
			t.Fatalf("len %d > cap", tr.Len())
		}
	}
	if _, ok := tr.Lookup(1); !ok {
		t.Error("recently seen process evicted")
	}
	if _, ok := tr.Lookup(2); ok {
		t.Error("exited process kept over live ones")
	}
	if _, ok := tr.Lookup(1099); !ok {
		t.Error("newest process missing")
	}
	if tr.Evicted() == 0 {
		t.Error("no eviction counted")
	}
}

func TestAncestryLoopAndUnknown(t *testing.T) {
	tr := New(Config{})
	tr.Put(Process{HostPID: 5, HostPPID: 6, Comm: "a"})
	tr.Put(Process{HostPID: 6, HostPPID: 5, Comm: "b"})
	if a := tr.Ancestry(5, 10); len(a) != 1 || a[0].HostPid != 6 {
		t.Fatalf("loop ancestry = %v", a)
	}
	if a := tr.Ancestry(12345, 10); a != nil {
		t.Fatalf("unknown pid ancestry = %v", a)
	}
}
