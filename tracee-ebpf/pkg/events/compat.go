package events

import "slices"

// Compat says how one i386 syscall (int $0x80, sysenter, every syscall of
// a 32-bit program), or one call of an i386 multiplexer (socketcall, ipc),
// is reported: under the x86_64 event Event, with the compat marker, so
// signatures and filters need not know the ABI. Generated from the kernel
// headers (schema/compat_syscalls.yaml).
type Compat struct {
	I386    int    // i386 syscall number; -1 for a multiplexer's call
	Name    string // i386 name ("mmap2", "SYS_CONNECT")
	Mux     string // the multiplexer itself (I386 >= 0), or the call's multiplexer
	Call    int    // call number within Mux
	Event   ID     // the x86_64 event; 0 on a multiplexer (restart_syscall is never a target)
	Args    []int  // x86_64 argument i comes from i386 argument Args[i] (-1: zero); nil: same order
	Pgoff   int    // argument counted in 4096-byte pages (mmap2), or -1
	ArgsMem int    // the arguments are six 32-bit words in user memory at this argument, or -1
}

// CompatSyscalls returns the i386 table, i386 syscalls by number, then the
// multiplexers' calls.
func CompatSyscalls() []Compat {
	return slices.Clone(compatTable)
}

// CompatMuxes returns the i386 multiplexers' names by their number in the
// kernel's compat map ("" at 0: none).
func CompatMuxes() []string {
	return slices.Clone(compatMuxes)
}

var compatByEvent = func() map[ID][]Compat {
	m := map[ID][]Compat{}
	for _, c := range compatTable {
		if c.I386 >= 0 && c.Mux != "" {
			continue // a multiplexer: its calls have the events
		}
		m[c.Event] = append(m[c.Event], c)
	}
	return m
}()

// CompatOf returns the i386 syscalls and multiplexer calls reported as
// the event id.
func CompatOf(id ID) []Compat {
	return slices.Clone(compatByEvent[id])
}
