package probes

import (
	"fmt"
	"slices"

	"github.com/cilium/ebpf"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/abi"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

// compatKey is an entry's key in the compat_syscalls map (bpf/lib/syscall.h):
// the i386 number, or after events.MaxSyscallID each multiplexer's calls.
func compatKey(c events.Compat) (uint32, error) {
	if c.I386 >= 0 {
		if c.I386 >= events.MaxSyscallID {
			return 0, fmt.Errorf("i386 syscall %s: number %d out of range", c.Name, c.I386)
		}
		return uint32(c.I386), nil
	}
	mux := slices.Index(events.CompatMuxes(), c.Mux)
	if mux <= 0 || c.Call < 0 || c.Call >= events.MaxCompatCall {
		return 0, fmt.Errorf("i386 call %s of %q: bad multiplexer or number %d", c.Name, c.Mux, c.Call)
	}
	return uint32(events.MaxSyscallID + mux*events.MaxCompatCall + c.Call), nil
}

// compatEntry is the kernel's form of an i386 table entry.
func compatEntry(c events.Compat) abi.TraceeCompatSc {
	e := abi.TraceeCompatSc{Valid: 1, ArgsMem: int8(c.ArgsMem), Pgoff: int8(c.Pgoff)}
	if c.I386 >= 0 && c.Mux != "" {
		e.Mux = uint8(slices.Index(events.CompatMuxes(), c.Mux))
	} else {
		e.Event = uint16(c.Event)
	}
	for i := range e.Args {
		e.Args[i] = int8(i)
		if c.Args != nil {
			e.Args[i] = -1
			if i < len(c.Args) {
				e.Args[i] = int8(c.Args[i])
			}
		}
	}
	return e
}

// putCompat fills the compat_syscalls map from the generated i386 table.
func putCompat(m *ebpf.Map) error {
	for _, c := range events.CompatSyscalls() {
		k, err := compatKey(c)
		if err != nil {
			return err
		}
		if err := m.Put(k, compatEntry(c)); err != nil {
			return fmt.Errorf("i386 syscall %s: %w", c.Name, err)
		}
	}
	return nil
}

// i386Work is the SEL_I386_AT_EXIT bit of each i386 syscall number whose
// x86_64 event (or, for a multiplexer, one of its calls' events) has work
// at sys_exit in selected: sys_exit tests the raw number's entry before it
// reads the task, and needs to know that an i386 call of that number may
// have work even where the x86_64 syscall of the same number has none.
func i386Work(selected map[uint32]uint32) map[uint32]uint32 {
	work := map[uint32]uint32{}
	muxNr := map[string]int{}
	for _, c := range events.CompatSyscalls() {
		if c.I386 >= 0 && c.Mux != "" {
			muxNr[c.Mux] = c.I386
		}
	}
	for _, c := range events.CompatSyscalls() {
		if c.Event == 0 || selected[uint32(c.Event)]&abi.SelAtSysExit == 0 {
			continue
		}
		nr, ok := c.I386, c.I386 >= 0
		if !ok {
			nr, ok = muxNr[c.Mux]
		}
		if ok {
			work[uint32(nr)] |= abi.SelI386AtExit
		}
	}
	return work
}
