package schema

import (
	"errors"
	"fmt"
)

// Named is one named constant of abi.yaml.
type Named struct {
	Name string `yaml:"name"`
	Doc  string `yaml:"doc"`
}

// Hook is one attach point of abi.yaml.
type Hook struct {
	Name string `yaml:"name"` // tracepoint name
	Prog string `yaml:"prog"` // program tracee_<prog>
	Doc  string `yaml:"doc"`
	// OnDemand: a raw_tp program in both objects that is never attached;
	// tracee-ebpf runs it itself with BPF_PROG_TEST_RUN (Name is no tracepoint).
	OnDemand bool `yaml:"on_demand"`
}

// ProcFopsPointer is one pointer of the hooked_proc_fops check.
type ProcFopsPointer struct {
	Name string `yaml:"name"` // kernel function it must hold
	Arg  string `yaml:"arg"`  // hooked_proc_fops argument with the address found
	Doc  string `yaml:"doc"`
}

// ProcFopsEvent is the event whose arguments ProcFopsPointer.Arg names.
const ProcFopsEvent = "hooked_proc_fops"

// ABI is abi.yaml: the constants shared by the BPF programs and user space.
type ABI struct {
	RecordFlags []Named `yaml:"record_flags"`
	Selection   []Named `yaml:"selection"`
	Filters     []Named `yaml:"filters"`
	Stats       []Named `yaml:"stats"`
	Hooks       []Hook  `yaml:"hooks"`
	// hooked_proc_fops' check: its pointers (at most 8) and failure bits
	ProcFopsPointers []ProcFopsPointer `yaml:"proc_fops_pointers"`
	ProcFopsFailures []Named           `yaml:"proc_fops_failures"`
	// mem_prot_alert's alert values (i + 1), Doc their text
	MemProtAlerts []Named `yaml:"mem_prot_alerts"`
}

// SysExitHook is the hook at which events are derived from a syscall's exit.
const SysExitHook = "sys_exit"

func parseABI(data []byte) (*ABI, error) {
	var a ABI
	if err := decodeStrict(data, &a); err != nil {
		return nil, fmt.Errorf("parse abi.yaml: %w", err)
	}
	var errs []error
	for _, l := range []struct {
		what  string
		items []Named
		max   int
	}{{"record_flags", a.RecordFlags, 16}, {"selection", a.Selection, 32}, {"filters", a.Filters, 32},
		{"stats", a.Stats, 64}, {"proc_fops_failures", a.ProcFopsFailures, 8},
		{"mem_prot_alerts", a.MemProtAlerts, 255}} {
		seen := map[string]bool{}
		if len(l.items) > l.max {
			errs = append(errs, fmt.Errorf("abi %s: %d entries, at most %d", l.what, len(l.items), l.max))
		}
		for _, n := range l.items {
			if !identRE.MatchString(n.Name) || seen[n.Name] {
				errs = append(errs, fmt.Errorf("abi %s: bad or repeated name %q", l.what, n.Name))
			}
			seen[n.Name] = true
		}
	}
	seen := map[string]bool{}
	for _, h := range a.Hooks {
		if !identRE.MatchString(h.Name) || !identRE.MatchString(h.Prog) || seen[h.Name] || seen["prog:"+h.Prog] {
			errs = append(errs, fmt.Errorf("abi hooks: bad or repeated hook %q (prog %q)", h.Name, h.Prog))
		}
		seen[h.Name], seen["prog:"+h.Prog] = true, true
	}
	if len(a.ProcFopsPointers) > 8 {
		errs = append(errs, fmt.Errorf("abi proc_fops_pointers: %d entries, at most 8", len(a.ProcFopsPointers)))
	}
	for _, p := range a.ProcFopsPointers {
		if !identRE.MatchString(p.Name) || !identRE.MatchString(p.Arg) || seen["fops:"+p.Name] {
			errs = append(errs, fmt.Errorf("abi proc_fops_pointers: bad or repeated %q (arg %q)", p.Name, p.Arg))
		}
		seen["fops:"+p.Name] = true
	}
	if !seen[SysExitHook] {
		errs = append(errs, fmt.Errorf("abi hooks: no %s hook", SysExitHook))
	}
	return &a, errors.Join(errs...)
}

// Hook returns the hook called name.
func (a *ABI) Hook(name string) (Hook, bool) {
	for _, h := range a.Hooks {
		if h.Name == name {
			return h, true
		}
	}
	return Hook{}, false
}

// DerivedAtSysExit returns the events derived at sys_exit, by id, each with
// its selection bit (1 << (len(Selection) + i)).
func (s *Schema) DerivedAtSysExit() []Event {
	var out []Event
	for _, e := range s.Events {
		if e.Hook == SysExitHook {
			out = append(out, e)
		}
	}
	return out
}

// EmittedByHooks returns the events a hook other than sys_exit emits, by
// id, each with its emit bit (1 << i).
func (s *Schema) EmittedByHooks() []Event {
	var out []Event
	for _, e := range s.Events {
		if e.Hook != "" && e.Hook != SysExitHook {
			out = append(out, e)
		}
	}
	return out
}
