package cmd

import (
	"fmt"
	"io"
	"strings"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/capture"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/enrich/cri"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/filter"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/output"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/policy"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/probes"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/tracer"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/cli"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

// plan is what the flags ask for, checked, before anything is opened.
type plan struct {
	capture  capture.Config
	output   output.Config
	policy   *policy.Set
	feat     *probes.Features
	wanted   map[events.ID]bool // printed
	sel      *tracer.Selection  // what the kernel sends
	runtimes []cri.Runtime      // --cri, asked for container names
	// whole are events the kernel's data filters must leave alone: the
	// process tree's, the container resolver's, captures' triggers and
	// what derived events need.
	whole       map[events.ID]bool
	dataFilters probes.DataFilters
}

// makePlan parses the flags (a bad one is a usage error), checks the
// privileges, probes the kernel's features and works out
// what the kernel must produce: the printed events, what they derive from,
// the scheduler events the process tree needs and the captures' triggers.
func makePlan(o *options, stderr io.Writer) (*plan, error) {
	p := &plan{wanted: map[events.ID]bool{}}
	var err error
	if p.capture, err = capture.ParseFlags(o.capture, o.installPath); err != nil {
		return nil, cli.Usage(err)
	}
	if p.output, err = output.ParseFlags(o.output); err != nil {
		return nil, cli.Usage(err)
	}
	if o.execArgsKiB < 0 || o.execArgsKiB > int(probes.ExecArgsCap>>10) {
		return nil, cli.Usage(fmt.Errorf("--exec-args-max-kib %d: want 0..%d", o.execArgsKiB, probes.ExecArgsCap>>10))
	}
	if p.runtimes, err = cri.ParseFlags(o.cri); err != nil {
		return nil, cli.Usage(err)
	}
	if err := probes.CheckPrivileges(); err != nil {
		return nil, err
	}
	p.feat = probes.ProbeFeatures()
	if p.policy, err = loadPolicies(o, p.feat.Have); err != nil {
		return nil, cli.Usage(err)
	}
	for _, s := range p.policy.Skipped {
		fmt.Fprintf(stderr, "tracee-ebpf: not tracing %s: needs %s\n", s.Name, strings.Join(s.Missing, ","))
	}
	for _, line := range p.policy.Describe() {
		fmt.Fprintf(stderr, "tracee-ebpf: %s\n", line)
	}
	for _, id := range p.policy.Events {
		p.wanted[id] = true
	}
	kernel := append(append([]events.ID{}, p.policy.Events...), p.policy.Deps...)
	p.whole = map[events.ID]bool{}
	for _, id := range p.policy.Deps {
		p.whole[id] = true
	}
	// The process tree needs the scheduler events whether or not they are
	// printed, and whole; the container resolver learns each new cgroup
	// from cgroup_mkdir.
	for _, id := range []events.ID{events.SchedProcessFork, events.SchedProcessExec, events.SchedProcessExit, events.CgroupMkdir} {
		kernel = append(kernel, id)
		p.whole[id] = true
	}
	// Captures need their trigger events traced, printed or not.
	for _, id := range p.capture.Events() {
		kernel = append(kernel, id)
		p.whole[id] = true
	}
	if p.sel, err = tracer.Select(kernel, p.feat, tracer.SelectionOptions{ExecEnv: p.output.ExecEnv}); err != nil {
		return nil, err
	}
	var where []string
	if p.dataFilters, where, err = tracer.DataFilters(p.policy, p.whole); err != nil {
		return nil, err
	}
	for _, line := range where {
		fmt.Fprintf(stderr, "tracee-ebpf: filter %s\n", line)
	}
	return p, nil
}

// loadPolicies reads --policy files and makes --trace a policy of its own
// (the only one, with the default events, when neither is given). Next to
// --policy, --trace expressions that are all scope filters (--trace
// container, --trace comm=nginx) narrow every policy instead.
func loadPolicies(o *options, avail map[string]bool) (*policy.Set, error) {
	pols, err := policy.Load(o.policies, filter.EventTable{}, avail)
	if err != nil {
		return nil, err
	}
	if len(pols) > 0 && len(o.trace) > 0 && policy.OnlyScope(o.trace) {
		for _, p := range pols {
			if err := p.Narrow(o.trace); err != nil {
				return nil, err
			}
		}
		return policy.NewSet(pols, nil)
	}
	var skipped []filter.Skipped
	if len(o.trace) > 0 || len(pols) == 0 {
		tp, sk, err := policy.FromTrace(o.trace, filter.EventTable{}, avail)
		if err != nil {
			return nil, err
		}
		pols, skipped = append([]*policy.Policy{tp}, pols...), sk
	}
	return policy.NewSet(pols, skipped)
}

// priorityNames are the events an attacker hides behind a flood: rare, and
// worth a larger budget (bpf/lib/budget.h); mem_prot_alert is memory made
// executable.
var priorityNames = []string{"ptrace", "init_module", "finit_module", "execve", "execveat", "sched_process_exec", "mount", "fsmount", "move_mount", "security_fsmount", "mem_prot_alert"}

func priorityEvents() []uint32 {
	var ids []uint32
	for _, n := range priorityNames {
		if d, ok := events.ByName(n); ok {
			ids = append(ids, uint32(d.ID))
		}
	}
	return ids
}
