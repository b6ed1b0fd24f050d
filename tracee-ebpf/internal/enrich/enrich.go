package enrich

import (
	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/enrich/container"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/enrich/proctree"
)

// Enricher updates the process tree from each event and fills in the
// event's ancestry and container id. It is not safe for concurrent use by
// itself, but its parts are.
type Enricher struct {
	Tree        *proctree.Tree      // nil: no ancestry
	Containers  *container.Resolver // nil: no container ids
	MaxAncestry int                 // ancestors per event; 0 means 5
}

// Enrich updates the tree from ev and fills ev.Ancestry (when empty),
// ev.ContainerId (when empty) and, for events that act on another process
// (ptrace, process_vm_writev, kill, ...), the target's host pid and name.
func (e *Enricher) Enrich(ev *pb.Event) {
	if e.Tree != nil {
		e.Tree.Update(ev)
		if len(ev.Ancestry) == 0 {
			n := e.MaxAncestry
			if n <= 0 {
				n = 5
			}
			ev.Ancestry = e.Tree.Ancestry(ev.GetHostProcessId(), n)
		}
	}
	e.resolveTarget(ev)
	if e.Containers != nil && ev.GetContainerId() == "" && ev.GetCgroupId() != 0 {
		ev.ContainerId = e.Containers.Lookup(ev.GetCgroupId(), ev.GetHostProcessId())
	}
}
