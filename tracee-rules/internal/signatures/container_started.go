package signatures

import (
	"strings"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// maxStartedContainers bounds startedContainers (past it the table restarts:
// a forgotten container is only at risk if its runtime is still setting it
// up, which takes a fraction of a second).
const maxStartedContainers = 4096

// startedContainers tells a container's own processes from its runtime
// setting it up, as Tracee's container=started scope does: a container has
// started once a program was executed in it (the entrypoint; runc execs it
// in place of its init stage). Before that, what runc's init stage
// ("runc:[2:INIT]") does in the container (creating mount points for
// volumes, masking /proc files, opening the sockets it binds) is the
// runtime's. A process in a started container is never excused, whatever
// its name.
type startedContainers struct {
	started map[string]bool
}

func (c *startedContainers) init() { c.started = map[string]bool{} }

// observe records the exec that starts a container: runc's init stage
// becoming the entrypoint, or any exec by a process that is not runc (runc
// re-executing itself as "runc init" does not start the container).
func (c *startedContainers) observe(ev *pb.Event) {
	id := ev.GetContainerId()
	if id == "" || ev.GetEventName() != "sched_process_exec" || c.started[id] {
		return
	}
	prev, _ := sdk.ArgString(ev, "prev_comm")
	if strings.HasPrefix(prev, "runc") && !strings.HasPrefix(prev, "runc:[2:INIT]") {
		return
	}
	if len(c.started) >= maxStartedContainers {
		c.started = map[string]bool{}
	}
	c.started[id] = true
}

// runtimeSetup reports whether ev is the container runtime's, before the
// container started.
func (c *startedContainers) runtimeSetup(ev *pb.Event) bool {
	return !c.started[ev.GetContainerId()] && strings.HasPrefix(ev.GetProcessName(), "runc:")
}
