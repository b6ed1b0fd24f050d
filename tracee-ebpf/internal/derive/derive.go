package derive

import (
	"fmt"
	"slices"
	"sync"

	"google.golang.org/protobuf/proto"

	"github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

// deriveFunc turns one source event into zero or more events of def.
type deriveFunc func(d *Deriver, def *events.Definition, src *traceepb.Event) []*traceepb.Event

// derivation is one registry row: source event -> derived event.
type derivation struct {
	source string
	target string
	fn     deriveFunc
}

// registry lists every derivation. The sources of a target must equal its
// Deps in the events table (checked by the tests).
var registry = []derivation{
	{"sched_process_exec", "security_bprm_check", deriveBprmCheck},
	{"connect", "security_socket_connect", deriveSocketConnect},
	{"mount", "security_sb_mount", deriveSbMount},
}

type step struct {
	def *events.Definition
	fn  deriveFunc
}

// Deriver derives events. It is safe for concurrent use.
type Deriver struct {
	mu      sync.Mutex
	steps   map[string][]step
	targets []string
	derived uint64
	skipped uint64
}

// Option configures a Deriver.
type Option func(*Deriver)

// WithTargets restricts the Deriver to the named derived events (by default
// it derives all of them).
func WithTargets(names ...string) Option {
	return func(d *Deriver) { d.targets = names }
}

// New returns a Deriver. It panics only if the registry names an event that
// is not in the events table, which the tests rule out.
func New(opts ...Option) *Deriver {
	d := &Deriver{
		steps: map[string][]step{},
	}
	for _, o := range opts {
		o(d)
	}
	want := func(target string) bool {
		return len(d.targets) == 0 || slices.Contains(d.targets, target)
	}
	for _, r := range registry {
		if !want(r.target) {
			continue
		}
		def, ok := events.ByName(r.target)
		if !ok {
			panic(fmt.Sprintf("derive: registry names unknown event %q", r.target))
		}
		d.steps[r.source] = append(d.steps[r.source], step{def: def, fn: r.fn})
	}
	return d
}

// Targets returns the names of all derivable events, sorted.
func Targets() []string {
	var out []string
	for _, r := range registry {
		if !slices.Contains(out, r.target) {
			out = append(out, r.target)
		}
	}
	slices.Sort(out)
	return out
}

// Sources returns the source events of a derived event, in registry order.
func Sources(target string) []string {
	var out []string
	for _, r := range registry {
		if r.target == target {
			out = append(out, r.source)
		}
	}
	return out
}

// Derive returns the events derived from ev (never ev itself); nil when none.
func (d *Deriver) Derive(ev *traceepb.Event) []*traceepb.Event {
	if ev == nil {
		return nil
	}
	steps := d.steps[ev.EventName]
	if len(steps) == 0 {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []*traceepb.Event
	for _, s := range steps {
		out = append(out, s.fn(d, s.def, ev)...)
	}
	d.derived += uint64(len(out))
	return out
}

// Stats are counters of a Deriver.
type Stats struct {
	Derived uint64 // events produced
	Skipped uint64 // source events that could not be derived from (missing argument)
}

// Stats returns the current counters.
func (d *Deriver) Stats() Stats {
	d.mu.Lock()
	defer d.mu.Unlock()
	return Stats{Derived: d.derived, Skipped: d.skipped}
}

// newEvent returns an event of def with the context of src and args.
func newEvent(def *events.Definition, src *traceepb.Event, args []*traceepb.Argument) *traceepb.Event {
	ev := &traceepb.Event{
		Timestamp:           src.Timestamp,
		ProcessorId:         src.ProcessorId,
		ProcessId:           src.ProcessId,
		ThreadId:            src.ThreadId,
		ParentProcessId:     src.ParentProcessId,
		HostProcessId:       src.HostProcessId,
		HostThreadId:        src.HostThreadId,
		HostParentProcessId: src.HostParentProcessId,
		UserId:              src.UserId,
		GroupId:             src.GroupId,
		MountNamespace:      src.MountNamespace,
		PidNamespace:        src.PidNamespace,
		ProcessName:         src.ProcessName,
		HostName:            src.HostName,
		CgroupId:            src.CgroupId,
		ContainerId:         src.ContainerId,
		EventId:             int32(def.ID),
		EventName:           def.Name,
		Args:                args,
		Syscall:             src.Syscall,
		// how the source was made (32-bit code, io_uring) and whether it was cut
		IsCompat:  src.IsCompat,
		IoUring:   src.IoUring,
		Truncated: src.Truncated,
	}
	for _, a := range src.Ancestry {
		ev.Ancestry = append(ev.Ancestry, proto.Clone(a).(*traceepb.Ancestor))
	}
	return ev
}

// param makes the argument for def's parameter name, typed from the table.
func param(def *events.Definition, name string) *traceepb.Argument {
	a := &traceepb.Argument{Name: name}
	if _, p, ok := def.Param(name); ok {
		a.Type = p.Type
	}
	return a
}

// copyArg makes def's parameter to from src's argument from (a clone of its
// value), or a zero value of the parameter's kind when src lacks it.
func copyArg(def *events.Definition, to string, src *traceepb.Event, from string) *traceepb.Argument {
	a := param(def, to)
	if s := src.GetArg(from); s != nil && s.Value != nil {
		c := proto.Clone(s).(*traceepb.Argument)
		a.Value = c.Value
		a.Repr = c.Repr
		return a
	}
	if _, p, ok := def.Param(to); ok {
		if set, ok := zeroValues[p.Kind]; ok {
			set(a)
		}
	}
	return a
}

// zeroValues set each kind's zero argument value.
var zeroValues = map[events.ArgKind]func(a *traceepb.Argument){
	events.ArgInt:     func(a *traceepb.Argument) { a.Value = &traceepb.Argument_Int{} },
	events.ArgLong:    func(a *traceepb.Argument) { a.Value = &traceepb.Argument_Int{} },
	events.ArgUint:    func(a *traceepb.Argument) { a.Value = &traceepb.Argument_Uint{} },
	events.ArgUlong:   func(a *traceepb.Argument) { a.Value = &traceepb.Argument_Uint{} },
	events.ArgPointer: func(a *traceepb.Argument) { a.Value = &traceepb.Argument_Uint{} },
	events.ArgU16:     func(a *traceepb.Argument) { a.Value = &traceepb.Argument_Uint{} },
	events.ArgStr:     func(a *traceepb.Argument) { a.Value = &traceepb.Argument_Str{} },
	events.ArgBytes:   func(a *traceepb.Argument) { a.Value = &traceepb.Argument_Bytes{} },
	events.ArgBool:    func(a *traceepb.Argument) { a.Value = &traceepb.Argument_Bool{} },
	events.ArgStrArr: func(a *traceepb.Argument) {
		a.Value = &traceepb.Argument_StrArray{StrArray: &traceepb.StringArray{}}
	},
	events.ArgSockaddr: func(a *traceepb.Argument) {
		a.Value = &traceepb.Argument_Sockaddr{Sockaddr: &traceepb.SockAddr{}}
	},
}
