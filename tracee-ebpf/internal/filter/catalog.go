package filter

import "github.com/tracee-go/tracee/tracee-ebpf/pkg/events"

// Catalog is the part of the event table the parser needs. EventTable is
// the real one; tests pass their own definitions.
type Catalog interface {
	ByName(name string) (*events.Definition, bool)
	All() []*events.Definition
}

// EventTable is the Catalog backed by the events package.
type EventTable struct{}

// ByName looks an event up by name.
func (EventTable) ByName(name string) (*events.Definition, bool) { return events.ByName(name) }

// All lists every event.
func (EventTable) All() []*events.Definition { return events.All() }
