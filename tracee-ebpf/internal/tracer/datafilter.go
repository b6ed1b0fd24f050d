package tracer

import (
	"fmt"
	"maps"
	"slices"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/policy"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/probes"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

// DataFilters compiles the policies' data filters for the kernel, and which
// policies select each event (an event with no filter gets an entry when
// some policy does not select it). Events in whole must reach user space
// unfiltered (dependencies of derived events, the process tree's and
// captures' events) and get none. It also returns
// one line per filter saying where it runs: the kernel drops what no
// policy's rule can match; user space evaluates every rule again (context
// filters, *contains*, sockets, ...) and names the matched policies. An
// event the kernel's table has no entry for is an error.
func DataFilters(set *policy.Set, whole map[events.ID]bool) (probes.DataFilters, []string, error) {
	dfs := probes.DataFilters{}
	var where []string
	all := uint64(1)<<len(set.Policies) - 1 // 64 policies: 0 - 1 wraps to all ones
	for _, id := range set.Events {
		d, ok := events.ByID(id)
		if !ok {
			continue
		}
		if whole[id] {
			where = append(where, fmt.Sprintf("%s: every event reaches user space (needed whole by the process tree, a capture or a derived event); filters run in user space", d.Name))
			continue
		}
		e := &probes.DFEvent{}
		for pi, p := range set.Policies {
			bit := uint64(1) << pi
			for _, r := range p.Rules[id] {
				rule := probes.DFRule{Policies: bit}
				for _, f := range r.Data {
					c, err := f.Kernel(d)
					if err != nil {
						where = append(where, fmt.Sprintf("policy %q %s %s: user space (%v)", p.Name, d.Name, f.Expr(), err))
						continue
					}
					rule.Conds = append(rule.Conds, c)
					where = append(where, fmt.Sprintf("policy %q %s %s: kernel", p.Name, d.Name, f.Expr()))
				}
				if r.Context != nil {
					where = append(where, fmt.Sprintf("policy %q %s: context filters in user space", p.Name, d.Name))
				}
				if len(rule.Conds) == 0 {
					e.Always |= bit
				} else {
					e.Rules = append(e.Rules, rule)
				}
			}
		}
		// An entry also for an event that not every policy selects: the
		// kernel then drops it when none of the policies in scope does.
		if len(e.Rules) > 0 || e.Always != all {
			dfs[uint32(id)] = e
		}
	}
	gaveUp, err := dfs.Fit()
	if err != nil {
		return nil, nil, err
	}
	for _, id := range slices.Sorted(maps.Keys(gaveUp)) {
		d, _ := events.ByID(events.ID(id))
		for _, g := range gaveUp[id] {
			where = append(where, fmt.Sprintf("%s: no room in the kernel: %s: those filters run in user space only", d.Name, g))
		}
	}
	return dfs, where, nil
}
