package enrich

import (
	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/enrich/container"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/enrich/cri"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/enrich/proctree"
)

// Enricher updates the process tree from each event and fills in the
// event's ancestry and container id. It is not safe for concurrent use by
// itself, but its parts are.
type Enricher struct {
	Tree        *proctree.Tree      // nil: no ancestry
	Containers  *container.Resolver // nil: no container ids
	Runtimes    *cri.Cache          // nil: no container names, images, pods
	MaxAncestry int                 // ancestors per event; 0 means 5

	// last remembers the previous event's process: busy processes send
	// long runs of events, and for those the tree and resolver need not be
	// asked again while nothing changed.
	last memo
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

// lifecycle events change the tree: never served from the memo.
func lifecycle(id int32) bool { return id >= 1002 && id <= 1004 }

// Enrich updates the tree from ev and fills ev.Ancestry (when empty),
// ev.ContainerId (when empty) and, for events that act on another process
// (ptrace, process_vm_writev, kill, ...), the target's host pid and name.
func (e *Enricher) Enrich(ev *pb.Event) {
	m := &e.last
	same := m.valid && !lifecycle(ev.GetEventId()) && m.pid == ev.GetHostProcessId() && m.tid == ev.GetHostThreadId() &&
		m.ppid == ev.GetHostParentProcessId() && m.comm == ev.GetProcessName()
	if e.Tree != nil {
		if same && m.version == e.Tree.Version() {
			if len(ev.Ancestry) == 0 {
				ev.Ancestry = m.ancestry
			}
		} else {
			e.Tree.Update(ev)
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
