package enrich

import (
	stdctx "context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/enrich/container"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/enrich/cri"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/enrich/proctree"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

func TestEnrich(t *testing.T) {
	root := t.TempDir()
	id := strings.Repeat("c0", 32)
	dir := filepath.Join(root, "system.slice", "docker-"+id+".scope")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ino, err := container.Inode(dir)
	if err != nil {
		t.Fatal(err)
	}
	res, err := container.NewResolver(container.Config{CgroupRoot: root, ProcRoot: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	tree := proctree.New(proctree.Config{})
	tree.Put(proctree.Process{HostPID: 1, Comm: "init", PID: 1})
	tree.Put(proctree.Process{HostPID: 10, HostPPID: 1, Comm: "sh", PID: 10})
	rt := &oneContainer{id: id, info: cri.Info{Name: "web", Image: "nginx:1", ImageDigest: "sha256:1", PodName: "p", PodNamespace: "ns", PodUID: "u"}}
	e := &Enricher{Tree: tree, Containers: res, MaxAncestry: 1, Runtimes: cri.NewCache(cri.Config{}, rt)}
	ev := &pb.Event{EventId: 257, HostProcessId: 20, HostThreadId: 20, HostParentProcessId: 10, ProcessName: "cat", CgroupId: ino}
	e.Observe(ev)
	e.Enrich(ev)
	if ev.ContainerId != id {
		t.Errorf("container id %q", ev.ContainerId)
	}
	if ev.ContainerName != "web" || ev.ContainerImage != "nginx:1" || ev.ContainerImageDigest != "sha256:1" ||
		ev.PodName != "p" || ev.PodNamespace != "ns" || ev.PodUid != "u" {
		t.Errorf("runtime info not applied: %v", ev)
	}
	again := &pb.Event{EventId: 0, HostProcessId: 20, HostThreadId: 20, HostParentProcessId: 10, ProcessName: "cat", CgroupId: ino}
	e.Enrich(again)
	if again.ContainerName != "web" || rt.calls != 1 {
		t.Errorf("second event: name %q, runtime asked %d times", again.ContainerName, rt.calls)
	}
	if len(ev.Ancestry) != 1 || ev.Ancestry[0].Comm != "sh" || ev.Ancestry[0].HostPid != 10 {
		t.Errorf("ancestry %v", ev.Ancestry)
	}
	if p, ok := tree.Lookup(20); !ok || p.Comm != "cat" {
		t.Errorf("tree not updated: %+v", p)
	}
	host := &pb.Event{EventId: 257, HostProcessId: 10, HostThreadId: 10, CgroupId: 0}
	e.Observe(host)
	e.Enrich(host)
	if host.ContainerId != "" || len(host.Ancestry) != 1 || host.Ancestry[0].Comm != "init" {
		t.Errorf("host event %v", host)
	}
}

// oneContainer is a runtime that knows one container.
type oneContainer struct {
	id    string
	info  cri.Info
	calls int
}

func (o *oneContainer) Name() string { return "test" }

func (o *oneContainer) Inspect(_ stdctx.Context, id string) (cri.Info, error) {
	o.calls++
	if id != o.id {
		return cri.Info{}, cri.ErrNotFound
	}
	return o.info, nil
}

func TestResolveTargets(t *testing.T) {
	tree := proctree.New(proctree.Config{})
	tree.SetSelfPidNS(4026531836)
	tree.Put(proctree.Process{HostPID: 700, Comm: "victim", PID: 700, PidNS: 4026531836})
	// a process in a container's pid namespace, pid 5 there
	tree.Put(proctree.Process{HostPID: 900, Comm: "app", PID: 5, PidNS: 4026532000})
	e := &Enricher{Tree: tree}
	arg := func(ev *pb.Event, n string) *pb.Argument {
		for _, a := range ev.Args {
			if a.Name == n {
				return a
			}
		}
		return nil
	}
	for _, tc := range []struct {
		name     string
		ev       *pb.Event
		wantHost int64
		wantComm string
	}{
		{"ptrace on the host", &pb.Event{EventName: "ptrace", PidNamespace: 4026531836, Args: []*pb.Argument{
			{Name: "request", Value: &pb.Argument_Int{Int: 4}}, {Name: "pid", Value: &pb.Argument_Int{Int: 700}}}}, 700, "victim"},
		{"process_vm_writev inside a container", &pb.Event{EventName: "process_vm_writev", PidNamespace: 4026532000, Args: []*pb.Argument{
			{Name: "pid", Value: &pb.Argument_Int{Int: 5}}}}, 900, "app"},
		{"unknown target", &pb.Event{EventName: "ptrace", PidNamespace: 4026531836, Args: []*pb.Argument{
			{Name: "pid", Value: &pb.Argument_Int{Int: 12345}}}}, 0, ""},
		{"event without a target", &pb.Event{EventName: "openat", Args: []*pb.Argument{
			{Name: "pid", Value: &pb.Argument_Int{Int: 700}}}}, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.Observe(tc.ev)
			e.Enrich(tc.ev)
			h, c := arg(tc.ev, "target_host_pid"), arg(tc.ev, "target_comm")
			if tc.wantHost == 0 {
				if h != nil || c != nil {
					t.Fatalf("unexpected target args %v %v", h, c)
				}
				return
			}
			if h.GetInt() != tc.wantHost || c.GetStr() != tc.wantComm {
				t.Fatalf("target %v %v, want %d %s", h, c, tc.wantHost, tc.wantComm)
			}
		})
	}
}

// Runs of events from one process are served from a memo, which must not
// outlive a change of the tree.
func TestEnrichMemoFollowsTreeChanges(t *testing.T) {
	tree := proctree.New(proctree.Config{})
	tree.Put(proctree.Process{HostPID: 1, Comm: "init"})
	tree.Put(proctree.Process{HostPID: 10, HostPPID: 1, Comm: "sh"})
	tree.Put(proctree.Process{HostPID: 20, HostPPID: 10, Comm: "worker"})
	e := &Enricher{Tree: tree}
	ev := func() *pb.Event {
		return &pb.Event{EventId: 0, EventName: "read", HostProcessId: 20, HostThreadId: 20, HostParentProcessId: 10, ProcessName: "worker"}
	}
	first, second := ev(), ev()
	e.Observe(first)
	e.Enrich(first)
	e.Observe(second)
	e.Enrich(second)
	if len(second.Ancestry) != 2 || second.Ancestry[0].Comm != "sh" {
		t.Fatalf("memoized ancestry %v", second.Ancestry)
	}
	// the parent execs something else: the next event must see the new name
	tree.Put(proctree.Process{HostPID: 10, HostPPID: 1, Comm: "python3"})
	third := ev()
	e.Observe(third)
	e.Enrich(third)
	if len(third.Ancestry) == 0 || third.Ancestry[0].Comm != "python3" {
		t.Fatalf("stale ancestry after a tree change: %v", third.Ancestry)
	}
}

// Observe applies a run of events of one process once, but every lifecycle
// event; Enrich never changes the tree.
func TestObserveOncePerContext(t *testing.T) {
	tree := proctree.New(proctree.Config{})
	e := &Enricher{Tree: tree}
	read := &pb.Event{EventId: 0, HostProcessId: 30, HostThreadId: 30, HostParentProcessId: 1, ProcessName: "cat"}
	e.Observe(read)
	v := tree.Version()
	e.Observe(read)
	e.Enrich(read)
	if tree.Version() != v {
		t.Fatalf("tree changed by a repeated context or by Enrich: version %d, was %d", tree.Version(), v)
	}
	exec := &pb.Event{EventId: int32(events.SchedProcessExec), HostProcessId: 30, HostThreadId: 30, HostParentProcessId: 1,
		Args: []*pb.Argument{{Name: "pathname", Value: &pb.Argument_Str{Str: "/usr/bin/python3"}}}}
	e.Observe(exec)
	if p, ok := tree.Lookup(30); !ok || p.Comm != "python3" {
		t.Fatalf("exec not applied: %+v", p)
	}
}
