package enrich

import (
	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/enrich/container"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/enrich/cri"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/enrich/proctree"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

// Enricher keeps the process tree up to date (Observe, for every decoded
// event) and fills in the ancestry and container id of the events that are
// printed (Enrich). It is not safe for concurrent use by itself, but its
// parts are.
type Enricher struct {
	Tree        *proctree.Tree      // nil: no ancestry
	Containers  *container.Resolver // nil: no container ids
	Runtimes    *cri.Cache          // nil: no container names, images, pods
	MaxAncestry int                 // ancestors per event; 0 means 5

	// last remembers the previous event's process: busy processes send
	// long runs of events, and for those the tree and resolver need not be
	// asked again while nothing changed.
	last memo
	// observed is the context of the last event Observe applied.
	observed context
}

// context is what an event tells the tree about its process.
type context struct {
	valid          bool
	pid, tid, ppid int32
	comm           string
}

func contextOf(ev *pb.Event) context {
	return context{true, ev.GetHostProcessId(), ev.GetHostThreadId(), ev.GetHostParentProcessId(), ev.GetProcessName()}
}

type memo struct {
	valid       bool
	pid, tid    int32
	ppid        int32
	comm        string
	version     uint64
	ancestry    []*pb.Ancestor
	cgroup      uint64
	containerID string
	info        *cri.Info
}

// lifecycle events change the tree whatever their context.
func lifecycle(id int32) bool {
	switch events.ID(id) {
	case events.SchedProcessFork, events.SchedProcessExec, events.SchedProcessExit:
		return true
	}
	return false
}

// Observe applies one decoded event to the process tree, printed or not
// (a tracer observer). A run of events of one process with an unchanged
// context is applied once.
func (e *Enricher) Observe(ev *pb.Event) {
	if ev.GetEventId() == int32(events.CgroupMkdir) && e.Containers != nil {
		// A new cgroup: learnt now, its events resolve even after it is gone.
		id, _ := pb.Arg[uint64](ev, "cgroup_id")
		path, _ := pb.Arg[string](ev, "cgroup_path")
		e.Containers.Learn(id, path)
	}
	if e.Tree == nil {
		return
	}
	c := contextOf(ev)
	if c == e.observed && !lifecycle(ev.GetEventId()) {
		return
	}
	e.Tree.Update(ev)
	e.observed = c
}

// Enrich fills ev.Ancestry (when empty), ev.ContainerId (when empty) and,
// for events that act on another process (ptrace, process_vm_writev, kill,
// ...), the target's host pid and name, from the tree Observe keeps.
func (e *Enricher) Enrich(ev *pb.Event) {
	m := &e.last
	same := m.valid && m.pid == ev.GetHostProcessId() && m.tid == ev.GetHostThreadId() &&
		m.ppid == ev.GetHostParentProcessId() && m.comm == ev.GetProcessName()
	if e.Tree != nil {
		if same && m.version == e.Tree.Version() {
			if len(ev.Ancestry) == 0 {
				ev.Ancestry = m.ancestry
			}
		} else {
			n := e.MaxAncestry
			if n <= 0 {
				n = 5
			}
			anc := e.Tree.Ancestry(ev.GetHostProcessId(), n)
			if len(ev.Ancestry) == 0 {
				ev.Ancestry = anc
			}
			*m = memo{valid: true, pid: ev.GetHostProcessId(), tid: ev.GetHostThreadId(), ppid: ev.GetHostParentProcessId(),
				comm: ev.GetProcessName(), version: e.Tree.Version(), ancestry: anc, cgroup: m.cgroup, containerID: m.containerID, info: m.info}
		}
	}
	e.resolveTarget(ev)
	if e.Containers != nil && ev.GetContainerId() == "" && ev.GetCgroupId() != 0 {
		if m.cgroup != ev.GetCgroupId() {
			m.cgroup, m.containerID = ev.GetCgroupId(), e.Containers.Lookup(ev.GetCgroupId(), ev.GetHostProcessId())
			m.info = nil
			if e.Runtimes != nil && m.containerID != "" {
				m.info = e.Runtimes.Lookup(m.containerID)
			}
		}
		ev.ContainerId = m.containerID
		if i := m.info; i != nil && ev.ContainerName == "" && ev.ContainerImage == "" {
			ev.ContainerName, ev.ContainerImage, ev.ContainerImageDigest = i.Name, i.Image, i.ImageDigest
			ev.PodName, ev.PodNamespace, ev.PodUid = i.PodName, i.PodNamespace, i.PodUID
		}
	}
}
