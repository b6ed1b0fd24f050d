package tracer

import (
	"fmt"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/probes"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

// kernelDerived says, for each event the kernel derives at sys_exit, which
// syscalls' exits produce it and with which selection bit. It mirrors
// bpf/hooks/derived.h.
var kernelDerived = map[string]struct {
	syscalls []string
	bit      uint32
}{
	"security_file_open":     {[]string{"open", "openat", "openat2", "creat", "open_by_handle_at"}, probes.SelFileOpen},
	"security_inode_link":    {[]string{"link", "linkat"}, probes.SelInodeLink},
	"security_inode_symlink": {[]string{"symlink", "symlinkat"}, probes.SelInodeSymlink},
	"socket_dup":             {[]string{"dup", "dup2", "dup3"}, probes.SelSocketDup},
	"magic_write":            {[]string{"write", "pwrite64"}, probes.SelMagicWrite},
}

// unreturned are the syscalls that do not return to their caller's image
// (AtEntry in the schema). They are emitted without a sys_enter hook: a
// failed execve at sys_exit, a successful one from sched_process_exec, and
// exit/exit_group from sched_process_exit (bpf/hooks/unreturned.h).
var unreturned = map[string]uint32{
	"execve":     probes.SelEmitExit | probes.SelFailedOnly | probes.SelFromExec,
	"execveat":   probes.SelEmitExit | probes.SelFailedOnly | probes.SelFromExec,
	"exit":       probes.SelFromExit,
	"exit_group": probes.SelFromExit,
}

// kernelEmit maps the dedicated scheduler hooks to their emission bits.
var kernelEmit = map[string]uint32{
	"sched_process_fork": probes.EmitFork,
	"sched_process_exec": probes.EmitExec,
	"sched_process_exit": probes.EmitExit,
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
			if nr >= probes.MaxSyscall {
				return nil, fmt.Errorf("syscall %s: number %d out of range", def.Name, nr)
			}
			if def.AtEntry {
				bits, ok := unreturned[def.Name]
				if !ok {
					return nil, fmt.Errorf("syscall %s does not return and has no producer in this build", def.Name)
				}
				s.Selected[nr] |= bits
			} else {
				s.Selected[nr] |= probes.SelEmitExit
			}
			s.ArgKinds[nr] = argKinds(def, o)
		case events.SourceKernel:
			if bit, ok := kernelEmit[def.Name]; ok {
				s.Emit |= bit
				continue
			}
			kd, ok := kernelDerived[def.Name]
			if !ok {
				return nil, fmt.Errorf("event %s has no kernel producer in this build", def.Name)
			}
			for _, sc := range kd.syscalls {
				sd, ok := events.ByName(sc)
				if !ok {
					return nil, fmt.Errorf("event %s: syscall %s missing from the event table", def.Name, sc)
				}
				s.Selected[uint32(sd.ID)] |= kd.bit
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
