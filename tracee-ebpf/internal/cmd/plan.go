package cmd

import (
	"fmt"
	"io"
	"strings"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/capture"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/enrich/cri"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/filter"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/output"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/probes"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/tracer"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/cli"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

// plan is what the flags ask for, checked, before anything is opened.
type plan struct {
	capture  capture.Config
	output   output.Config
	policy   *filter.Policy
	feat     *probes.Features
	wanted   map[events.ID]bool // printed
	sel      *tracer.Selection  // what the kernel sends
	runtimes []cri.Runtime      // --cri, asked for container names
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
	if p.policy, err = filter.Parse(o.trace, filter.EventTable{}, p.feat.Have); err != nil {
		return nil, cli.Usage(err)
	}
	for _, s := range p.policy.Skipped {
		fmt.Fprintf(stderr, "tracee-ebpf: not tracing %s: needs %s\n", s.Name, strings.Join(s.Missing, ","))
	}
	for _, id := range p.policy.Events {
		p.wanted[id] = true
	}
	kernel := append(append([]events.ID{}, p.policy.Events...), p.policy.Deps...)
	// The process tree needs the scheduler events whether or not they are printed.
	kernel = append(kernel, events.SchedProcessFork, events.SchedProcessExec, events.SchedProcessExit)
	// The container resolver learns each new cgroup from cgroup_mkdir.
	kernel = append(kernel, events.CgroupMkdir)
	// Captures need their trigger events (and what those derive from)
	// traced, printed or not.
	if p.capture.Mem {
		if d, ok := events.ByID(events.MemProtAlert); ok {
			for _, n := range d.Deps {
				if dd, ok := events.ByName(n); ok {
					kernel = append(kernel, dd.ID)
				}
			}
		}
	}
	if p.sel, err = tracer.Select(kernel, p.feat, tracer.SelectionOptions{ExecEnv: p.output.ExecEnv}); err != nil {
		return nil, err
	}
	return p, nil
}
