package engine

import (
	"sort"

	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// Stats is a snapshot of the engine's counters.
type Stats struct {
	EventsIn uint64 // events given to Dispatch
	Unrouted uint64 // events no signature selected
	// EvidenceDropped counts findings on an open for writing forgotten
	// before their writer exited (no evidence follow-up).
	EvidenceDropped uint64
	Signatures      []SigStats // in the order signatures were given to New
}

// SigStats are one signature's counters.
type SigStats struct {
	ID       string
	Name     string
	Events   uint64 // events delivered
	Findings uint64
	Errors   uint64 // errors and panics, from any method
	Panics   uint64
}

// Stats returns the current counters. Safe from any goroutine.
func (e *Engine) Stats() Stats {
	s := Stats{EventsIn: e.eventsIn.Load(), Unrouted: e.unrouted.Load(), EvidenceDropped: e.evidence.dropped.Load(), Signatures: make([]SigStats, len(e.sigs))}
	for i, st := range e.sigs {
		s.Signatures[i] = SigStats{
			ID: st.meta.ID, Name: st.meta.Name,
			Events: st.events.Load(), Findings: st.findings.Load(),
			Errors: st.errors.Load(), Panics: st.panics.Load(),
		}
	}
	return s
}

// Signature describes one loaded signature.
type Signature struct {
	Metadata sdk.Metadata
	Events   []string // selected event names, sorted
}

// Signatures lists the loaded signatures in the order given to New.
func (e *Engine) Signatures() []Signature {
	out := make([]Signature, len(e.sigs))
	for i, st := range e.sigs {
		out[i] = Signature{Metadata: st.meta, Events: append([]string(nil), st.selected...)}
	}
	return out
}

// Describe reads the metadata and selected events of signatures without
// initialising them (for listing).
func Describe(sigs []sdk.Signature) ([]Signature, error) {
	out := make([]Signature, 0, len(sigs))
	for _, sig := range sigs {
		st, err := describe(sig)
		if err != nil {
			return nil, err
		}
		out = append(out, Signature{Metadata: st.meta, Events: st.selected})
	}
	return out, nil
}

// EventNames returns the sorted, de-duplicated event names the signatures
// selected; wildcard reports whether one selected every event ("*").
func EventNames(sigs []Signature) (names []string, wildcard bool) {
	seen := map[string]bool{}
	for _, s := range sigs {
		for _, n := range s.Events {
			if n == "*" {
				wildcard = true
				continue
			}
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	sort.Strings(names)
	return names, wildcard
}

// SelectedEvents returns the event names the loaded signatures selected (see
// EventNames).
func (e *Engine) SelectedEvents() (names []string, wildcard bool) {
	return EventNames(e.Signatures())
}
