package filter

import (
	"slices"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

// NumFilter restricts a numeric context field. A value passes when all of:
//   - Equal is empty, or the value is in Equal;
//   - the value is not in NotEqual;
//   - Less is nil or value < *Less;
//   - Greater is nil or value > *Greater.
//
// The zero NumFilter passes everything (Active reports false).
type NumFilter struct {
	Equal    []uint64
	NotEqual []uint64
	Less     *uint64
	Greater  *uint64
}

// Active reports whether the filter restricts anything.
func (f NumFilter) Active() bool {
	return len(f.Equal) > 0 || len(f.NotEqual) > 0 || f.Less != nil || f.Greater != nil
}

// Match applies the filter to v.
func (f NumFilter) Match(v uint64) bool {
	if len(f.Equal) > 0 && !slices.Contains(f.Equal, v) {
		return false
	}
	if slices.Contains(f.NotEqual, v) {
		return false
	}
	if f.Less != nil && v >= *f.Less {
		return false
	}
	if f.Greater != nil && v <= *f.Greater {
		return false
	}
	return true
}

// StringFilter restricts a string context field: a value passes when Equal
// is empty or holds it, and NotEqual does not hold it. Matching is exact.
type StringFilter struct {
	Equal    []string
	NotEqual []string
}

// Active reports whether the filter restricts anything.
func (f StringFilter) Active() bool { return len(f.Equal) > 0 || len(f.NotEqual) > 0 }

// Match applies the filter to s.
func (f StringFilter) Match(s string) bool {
	if len(f.Equal) > 0 && !slices.Contains(f.Equal, s) {
		return false
	}
	return !slices.Contains(f.NotEqual, s)
}

// Kernel is the scope part of a policy, evaluated in BPF.
//
//   - UID: the task's real uid. PID: the host process id (tgid).
//   - MntNS, PidNS: namespace inode numbers. UTS: the UTS nodename.
//   - Comm: the task's comm (at most 15 bytes).
//   - Container: nil = any process; true = only processes in a container
//     (cgroup other than the host's); false = only host processes.
//     ContainerNew: only containers started after tracing began.
//   - NewPID: only processes started after tracing began.
//   - Follow: a process that passes the filters makes its descendants pass
//     too (forked after the match).
//   - Tree: when non-empty, only these host pids and their descendants
//     pass (AND-ed with the other filters, like every expression).
//   - Exe: the file the process runs (what it exec'd), by identity.
type Kernel struct {
	UID, PID, MntNS, PidNS NumFilter
	UTS, Comm              StringFilter
	Container              *bool
	ContainerNew           bool
	Follow, NewPID         bool
	Tree                   []uint32
	Exe                    ExeFilter
}

// MatchScope evaluates the kernel scope filters on an event in user space.
// It ignores Follow, NewPID, Tree, ContainerNew and Exe, which need the
// kernel's process state; use it for events that did not come through the
// kernel filter (tests, replays).
func (k *Kernel) MatchScope(ev *pb.Event) bool {
	if !k.UID.Match(uint64(ev.GetUserId())) || !k.PID.Match(uint64(uint32(ev.GetHostProcessId()))) ||
		!k.MntNS.Match(uint64(ev.GetMountNamespace())) || !k.PidNS.Match(uint64(ev.GetPidNamespace())) ||
		!k.UTS.Match(ev.GetHostName()) || !k.Comm.Match(ev.GetProcessName()) {
		return false
	}
	if k.Container != nil && *k.Container != (ev.GetContainerId() != "") {
		return false
	}
	return true
}

// Skipped is an event dropped from a set, glob or the default set because
// the kernel lacks something it requires.
type Skipped struct {
	Name    string
	Missing []string
}

// Policy is the parsed form of all --trace expressions.
type Policy struct {
	// Events are the requested events, sorted by id.
	Events []events.ID
	// Deps are events traced only because a requested event is derived
	// from them; Match drops them.
	Deps []events.ID
	// Skipped lists events of sets/globs/the default set left out because a
	// requirement is missing.
	Skipped []Skipped
	Kernel  Kernel
	// ContainerIDs filters on the container id resolved in user space
	// (container=<id>, container!=<id>; a 12+ hex-digit prefix matches).
	ContainerIDs StringFilter

	selected map[events.ID]bool
	args     map[events.ID][]*ArgFilter
}

// Selected reports whether id is one of the requested events.
func (p *Policy) Selected(id events.ID) bool { return p.selected[id] }

// Match reports whether ev should be output: it is a requested event, its
// container id passes, and all its argument and return-value filters pass.
// Call it on final events (after derivation and enrichment).
func (p *Policy) Match(ev *pb.Event) bool {
	id := events.ID(ev.GetEventId())
	if !p.selected[id] {
		return false
	}
	if p.ContainerIDs.Active() && !matchContainerID(p.ContainerIDs, ev.GetContainerId()) {
		return false
	}
	for _, f := range p.args[id] {
		if !f.Match(ev) {
			return false
		}
	}
	return true
}

// HasUserFilters reports whether Match does more than event selection.
func (p *Policy) HasUserFilters() bool { return len(p.args) > 0 || p.ContainerIDs.Active() }

func matchContainerID(f StringFilter, id string) bool {
	eq := func(want string) bool {
		return id != "" && (id == want || (len(want) >= 12 && len(want) < len(id) && id[:len(want)] == want))
	}
	if len(f.Equal) > 0 && !slices.ContainsFunc(f.Equal, eq) {
		return false
	}
	return !slices.ContainsFunc(f.NotEqual, eq)
}

// ArgFilters returns the argument and return-value filters of event id.
func (p *Policy) ArgFilters(id events.ID) []*ArgFilter { return p.args[id] }
