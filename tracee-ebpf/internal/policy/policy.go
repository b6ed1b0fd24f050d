package policy

import (
	"fmt"
	"slices"
	"strings"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/filter"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

// MaxPolicies is how many policies can be loaded at once (one bit each in
// the kernel's matched-policies bitmap).
const MaxPolicies = 64

// TraceName is the name of the policy made of --trace expressions.
const TraceName = "trace"

// Policy is one loaded policy.
type Policy struct {
	Name        string
	Description string
	Origin      string // file the policy came from, or "--trace"
	Scope       *filter.Scope
	Rules       map[events.ID][]*Rule // alternatives per event

	scopeExprs []string // spec.scope, "global" left out
}

// Narrow ANDs more scope expressions into the policy's scope.
func (p *Policy) Narrow(exprs []string) error {
	sc, err := filter.ParseScope(append(append([]string{}, p.scopeExprs...), exprs...))
	if err != nil {
		return fmt.Errorf("policy %q (%s): %w", p.Name, p.Origin, err)
	}
	p.Scope = sc
	p.scopeExprs = append(p.scopeExprs, exprs...)
	return nil
}

// OnlyScope reports whether every expression is a scope filter (no event
// selection, no argument filter).
func OnlyScope(exprs []string) bool {
	_, err := filter.ParseScope(exprs)
	return err == nil
}

// Rule is one rule of a policy: its data filters and context filters, AND-ed.
type Rule struct {
	Data    []*filter.ArgFilter
	Context *filter.Scope // nil: none
}

// Match reports whether ev passes the rule's filters.
func (r *Rule) Match(ev *pb.Event) bool {
	if r.Context != nil && !r.Context.Match(ev) {
		return false
	}
	for _, f := range r.Data {
		if !f.Match(ev) {
			return false
		}
	}
	return true
}

// Events lists the policy's events, sorted.
func (p *Policy) Events() []events.ID {
	ids := make([]events.ID, 0, len(p.Rules))
	for id := range p.Rules {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Set is the policies in force, in bit order.
type Set struct {
	Policies []*Policy
	// Events are the events some policy selects, sorted; Deps the events
	// that must reach user space whole because a selected user-space event
	// derives from them (see deps).
	Events []events.ID
	Deps   []events.ID
	// Skipped lists events of sets/globs/the default set of --trace left
	// out because a requirement is missing.
	Skipped []filter.Skipped

	selected map[events.ID]bool
}

// AllPolicies is the policy bitmap that makes every policy a candidate.
const AllPolicies = ^uint64(0)

// NewSet checks a list of policies (names unique, at most MaxPolicies) and
// computes what must be traced.
func NewSet(pols []*Policy, skipped []filter.Skipped) (*Set, error) {
	if len(pols) == 0 {
		return nil, fmt.Errorf("no policy")
	}
	if len(pols) > MaxPolicies {
		return nil, fmt.Errorf("%d policies: at most %d can be loaded at once", len(pols), MaxPolicies)
	}
	s := &Set{Policies: pols, Skipped: skipped, selected: map[events.ID]bool{}}
	names := map[string]string{}
	for _, p := range pols {
		if prev, dup := names[p.Name]; dup {
			return nil, fmt.Errorf("policy name %q is used twice (%s and %s)", p.Name, prev, p.Origin)
		}
		names[p.Name] = p.Origin
		for id := range p.Rules {
			s.selected[id] = true
		}
	}
	for id := range s.selected {
		s.Events = append(s.Events, id)
	}
	slices.Sort(s.Events)
	s.Deps = deps(pols)
	return s, nil
}

// Kernels are the policies' kernel scope filters, in bit order: the kernel
// evaluates each (bpf/lib/filter.h) and marks every event with the
// policies whose scope holds.
func (s *Set) Kernels() []*filter.Kernel {
	out := make([]*filter.Kernel, len(s.Policies))
	for i, p := range s.Policies {
		out[i] = &p.Scope.Kernel
	}
	return out
}

// Bits is the bitmap of the policies (bit i: s.Policies[i]) that select id.
func (s *Set) Bits(id events.ID) uint64 {
	var b uint64
	for i, p := range s.Policies {
		if _, ok := p.Rules[id]; ok {
			b |= 1 << i
		}
	}
	return b
}

// deps lists the events that the selected user-space events of each policy
// derive from and that the policy does not select itself: those must reach
// user space whole. (A policy that selects a dependency with filters, as
// TRC-4 does with mmap for mem_prot_alert, derives from what its filters
// pass.) An event may be both a dependency and, filtered, a selected event.
func deps(pols []*Policy) []events.ID {
	seen := map[events.ID]bool{}
	for _, p := range pols {
		var walk func(d *events.Definition)
		walk = func(d *events.Definition) {
			for _, name := range d.Deps {
				dd, ok := events.ByName(name)
				if !ok || seen[dd.ID] {
					continue
				}
				if _, own := p.Rules[dd.ID]; own {
					continue
				}
				seen[dd.ID] = true
				walk(dd)
			}
		}
		for id := range p.Rules {
			if d, ok := events.ByID(id); ok {
				walk(d)
			}
		}
	}
	out := make([]events.ID, 0, len(seen))
	for id := range seen {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// Selected reports whether some policy selects id.
func (s *Set) Selected(id events.ID) bool { return s.selected[id] }

// Match computes the policies ev matches, stores their names in
// ev.MatchedPolicies and reports whether there is any. Call it on final
// events (after derivation and enrichment). kernel is the bitmap of the
// policies the kernel found in scope for the event (the record's, or its
// source's for an event derived in user space): only those are candidates,
// their container ids and rules (data filters again, context filters) are
// checked here. A record of a hook that applies no scope (cgroup_mkdir,
// hooked_proc_fops) has every policy's bit.
func (s *Set) Match(ev *pb.Event, kernel uint64) bool {
	id := events.ID(ev.GetEventId())
	ev.MatchedPolicies = ev.MatchedPolicies[:0]
	for i, p := range s.Policies {
		if kernel&(1<<i) == 0 {
			continue
		}
		rules, ok := p.Rules[id]
		if !ok || !inScope(p, ev) {
			continue
		}
		for _, r := range rules {
			if r.Match(ev) {
				ev.MatchedPolicies = append(ev.MatchedPolicies, p.Name)
				break
			}
		}
	}
	return len(ev.MatchedPolicies) > 0
}

// inScope: the kernel applied the scope; container ids are resolved here.
func inScope(p *Policy, ev *pb.Event) bool {
	f := p.Scope.ContainerIDs
	return !f.Active() || (&filter.Scope{ContainerIDs: f}).Match(ev)
}

// Describe says, one line per policy, what it selects and where its
// filters run.
func (s *Set) Describe() []string {
	var out []string
	for i, p := range s.Policies {
		var evs []string
		for _, id := range p.Events() {
			d, _ := events.ByID(id)
			evs = append(evs, d.Name)
		}
		scope := "global"
		if len(p.scopeExprs) > 0 {
			scope = strings.Join(p.scopeExprs, " ")
		}
		where := fmt.Sprintf("scope %s in the kernel (bit %d of the events' policy bitmap)", scope, i)
		if p.Scope.ContainerIDs.Active() {
			where += ", container ids in user space"
		}
		out = append(out, fmt.Sprintf("policy %d %q (%s): %s; events %s", i, p.Name, p.Origin, where, strings.Join(evs, ",")))
	}
	return out
}

// FromTrace makes the policy of --trace expressions.
func FromTrace(exprs []string, cat filter.Catalog, avail map[string]bool) (*Policy, []filter.Skipped, error) {
	fp, err := filter.Parse(exprs, cat, avail)
	if err != nil {
		return nil, nil, err
	}
	p := &Policy{Name: TraceName, Origin: "--trace", Rules: map[events.ID][]*Rule{},
		Scope: &filter.Scope{Kernel: fp.Kernel, ContainerIDs: fp.ContainerIDs}}
	for _, id := range fp.Events {
		p.Rules[id] = []*Rule{{Data: fp.ArgFilters(id)}}
	}
	for _, e := range exprs {
		if OnlyScope([]string{e}) {
			p.scopeExprs = append(p.scopeExprs, strings.TrimSpace(e))
		}
	}
	return p, fp.Skipped, nil
}
