package enrich

import (
	pb "github.com/tracee-go/tracee/proto/traceepb"
)

// targetArgs names, per event, the argument holding the pid of another
// process the event acts on. The pid is in the caller's pid namespace;
// ResolveTargets adds the target's host pid and name as two arguments,
// target_host_pid and target_comm, when the process tree knows it.
var targetArgs = map[string]string{
	"ptrace":            "pid",
	"process_vm_writev": "pid",
	"process_vm_readv":  "pid",
	"kill":              "pid",
	"tgkill":            "tgid",
	"pidfd_open":        "pid",
}

func (e *Enricher) resolveTarget(ev *pb.Event) {
	name, ok := targetArgs[ev.GetEventName()]
	if !ok || e.Tree == nil {
		return
	}
	if ev.GetArg("target_host_pid") != nil {
		return // already resolved (a replayed stream)
	}
	pid, found := pb.Arg[int64](ev, name)
	if !found || pid <= 0 || pid > 1<<22 {
		return
	}
	host, ok := e.Tree.ResolvePid(ev.GetPidNamespace(), int32(pid))
	if !ok {
		return
	}
	p, ok := e.Tree.Lookup(host)
	if !ok {
		return
	}
	ev.Args = append(ev.Args,
		&pb.Argument{Name: "target_host_pid", Type: "pid_t", Value: &pb.Argument_Int{Int: int64(host)}},
		&pb.Argument{Name: "target_comm", Type: "const char*", Value: &pb.Argument_Str{Str: p.Comm}},
	)
}
