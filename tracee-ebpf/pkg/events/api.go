package events

import (
	"fmt"
	"slices"
	"sort"
)

// The table is built once; Definitions are shared and must not be modified.
var (
	byID   = map[ID]*Definition{}
	byName = map[string]*Definition{}
	bySet  = map[string][]*Definition{}
	sets   []string
)

func init() {
	for _, d := range table {
		byID[d.ID] = d
		byName[d.Name] = d
		for _, s := range d.Sets {
			bySet[s] = append(bySet[s], d)
		}
	}
	for s := range bySet {
		sets = append(sets, s)
	}
	sort.Strings(sets)
}

// All returns every event, sorted by id. The slice is a fresh copy; the
// Definitions are shared and read-only.
func All() []*Definition {
	return slices.Clone(table)
}

// ByID looks an event up by id.
func ByID(id ID) (*Definition, bool) {
	d, ok := byID[id]
	return d, ok
}

// ByName looks an event up by name ("openat", "sched_process_exec").
func ByName(name string) (*Definition, bool) {
	d, ok := byName[name]
	return d, ok
}

// Syscall looks a syscall event up by its x86_64 syscall number.
func Syscall(nr int) (*Definition, bool) {
	d, ok := byID[ID(nr)]
	if !ok || !d.IsSyscall() {
		return nil, false
	}
	return d, true
}

// Sets returns the names of all event sets, sorted.
func Sets() []string {
	return slices.Clone(sets)
}

// InSet returns the events of a set, sorted by id; nil for an unknown set.
func InSet(set string) []*Definition {
	return slices.Clone(bySet[set])
}

// IsSyscall reports whether the event is a plain syscall (id = syscall number).
func (d *Definition) IsSyscall() bool {
	return d.Source == SourceSyscall
}

// InSet reports whether the event belongs to set.
func (d *Definition) InSet(set string) bool {
	return slices.Contains(d.Sets, set)
}

// Param returns the index and parameter called name.
func (d *Definition) Param(name string) (int, *Param, bool) {
	for i := range d.Params {
		if d.Params[i].Name == name {
			return i, &d.Params[i], true
		}
	}
	return -1, nil, false
}

// String returns the event's name.
func (d *Definition) String() string {
	return d.Name
}

// String names a kind as the schema does ("str_arr").
func (k ArgKind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Size is the fixed payload size of an integer-like kind in a raw record,
// or 0 for the length-prefixed kinds (str, str_arr, sockaddr, bytes) and none.
func (k ArgKind) Size() int {
	if int(k) < len(kindSizes) {
		return kindSizes[k]
	}
	return 0
}

// String names a source ("syscall", "kernel", "userspace").
func (s Source) String() string {
	switch s {
	case SourceSyscall:
		return "syscall"
	case SourceKernel:
		return "kernel"
	case SourceUserspace:
		return "userspace"
	}
	return fmt.Sprintf("source(%d)", uint8(s))
}
