package tracer

import (
	"fmt"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/abi"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/probes"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

// unreturned are the syscalls that do not return to their caller's image
// (AtEntry in the schema). They are emitted without a sys_enter hook: a
// failed execve at sys_exit, a successful one from sched_process_exec, and
// exit/exit_group from sched_process_exit (bpf/lib/unreturned.h).
var unreturned = map[string]uint32{
	"execve":     abi.SelEmitExit | abi.SelFailedOnly | abi.SelFromExec,
	"execveat":   abi.SelEmitExit | abi.SelFailedOnly | abi.SelFromExec,
	"exit":       abi.SelFromExit,
	"exit_group": abi.SelFromExit,
}

// Selection is what the kernel must produce for a set of wanted events.
type Selection struct {
	Selected map[uint32]uint32
	ArgKinds map[uint32][6]uint8
	Emit     uint32
}

// SelectionOptions tune Select.
type SelectionOptions struct {
	ExecEnv bool // capture envp of execve/execveat
}

// Select computes the kernel selection for the given events (dependencies
// must already be included). Events the kernel cannot produce here are an
// error naming the missing facility.
func Select(ids []events.ID, feat *probes.Features, o SelectionOptions) (*Selection, error) {
	s := &Selection{Selected: map[uint32]uint32{}, ArgKinds: map[uint32][6]uint8{}}
	for _, id := range ids {
		def, ok := events.ByID(id)
		if !ok {
			return nil, fmt.Errorf("unknown event id %d", id)
		}
		for _, req := range def.Requires {
			if feat == nil || !feat.Available(req) {
				return nil, fmt.Errorf("event %s needs %s, which this kernel does not offer", def.Name, req)
			}
		}
		switch def.Source {
		case events.SourceSyscall:
			nr := uint32(def.ID)
			if nr >= events.MaxSyscallID {
				return nil, fmt.Errorf("syscall %s: number %d out of range", def.Name, nr)
			}
			if def.AtEntry {
				bits, ok := unreturned[def.Name]
				if !ok {
					return nil, fmt.Errorf("syscall %s does not return and has no producer in this build", def.Name)
				}
				s.Selected[nr] |= bits
			} else {
				s.Selected[nr] |= abi.SelEmitExit
			}
			s.ArgKinds[nr] = argKinds(def, o)
		case events.SourceKernel:
			if err := s.selectKernel(def); err != nil {
				return nil, err
			}
		case events.SourceUserspace:
			// produced by the deriver from its dependencies
		}
	}
	return s, nil
}

func argKinds(def *events.Definition, o SelectionOptions) [6]uint8 {
	var k [6]uint8
	for i, p := range def.Params {
		if i >= 6 {
			break
		}
		k[i] = uint8(p.Kind)
		if p.Name == "envp" && !o.ExecEnv {
			k[i] = uint8(events.ArgNone)
		}
	}
	return k
}

// selectKernel selects the hook that produces a kernel event (generated
// from the schema into abi.Emitted and abi.Derived).
func (s *Selection) selectKernel(def *events.Definition) error {
	for _, e := range abi.Emitted {
		if e.ID == def.ID {
			s.Emit |= e.Emit
			return nil
		}
	}
	for _, d := range abi.Derived {
		if d.ID != def.ID {
			continue
		}
		for _, sc := range d.Syscalls {
			sd, ok := events.ByName(sc)
			if !ok {
				return fmt.Errorf("event %s: syscall %s missing from the event table", def.Name, sc)
			}
			s.Selected[uint32(sd.ID)] |= d.Sel
		}
		return nil
	}
	return fmt.Errorf("event %s has no kernel producer in this build", def.Name)
}
