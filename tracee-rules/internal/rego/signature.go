package rego

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/open-policy-agent/opa/v1/metrics"
	opa "github.com/open-policy-agent/opa/v1/rego"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// Signature is a compiled Rego signature; it implements sdk.Signature.
// Its match query is prepared once and is safe for concurrent evaluation.
type Signature struct {
	file     string
	meta     sdk.Metadata
	selected []sdk.SelectedEvent
	names    map[string]bool // selected event names; nil when "*" is selected
	match    opa.PreparedEvalQuery
	input    inputBuilder
	cb       sdk.Callback
}

var _ sdk.Signature = (*Signature)(nil)

func newSignature(file string, meta sdk.Metadata, selected []sdk.SelectedEvent, match opa.PreparedEvalQuery, input inputBuilder) *Signature {
	names := make(map[string]bool, len(selected))
	for _, s := range selected {
		if s.Name == "*" {
			names = nil
			break
		}
		names[s.Name] = true
	}
	return &Signature{file: file, meta: meta, selected: selected, names: names, match: match, input: input}
}

// File is the name of the .rego file the signature was loaded from.
func (s *Signature) File() string { return s.file }

// GetMetadata returns the signature's __rego_metadoc__.
func (s *Signature) GetMetadata() (sdk.Metadata, error) {
	m := s.meta
	m.Tags = slices.Clone(m.Tags)
	return m, nil
}

// GetSelectedEvents returns the signature's tracee_selected_events.
func (s *Signature) GetSelectedEvents() ([]sdk.SelectedEvent, error) {
	return slices.Clone(s.selected), nil
}

// Init stores the callback findings are reported to.
func (s *Signature) Init(cb sdk.Callback) error {
	if cb == nil {
		return errors.New("nil callback")
	}
	s.cb = cb
	return nil
}

// OnEvent evaluates tracee_match on the event and reports a finding when it
// is true or an object (the finding's Data). Events the signature did not
// select are ignored. Evaluation errors, and results of another type, are
// returned; OPA panics are recovered and returned as errors.
func (s *Signature) OnEvent(ev *pb.Event) (err error) {
	if ev == nil {
		return errors.New("nil event")
	}
	if s.names != nil && !s.names[ev.GetEventName()] {
		return nil
	}
	if s.cb == nil {
		return fmt.Errorf("signature %s: OnEvent before Init", s.meta.ID)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("signature %s: evaluate %s on event %s: panic: %v", s.meta.ID, ruleMatch, ev.GetEventName(), r)
		}
	}()
	data, matched, err := s.eval(ev)
	if err != nil {
		return fmt.Errorf("signature %s: evaluate %s on event %s: %w", s.meta.ID, ruleMatch, ev.GetEventName(), err)
	}
	if matched {
		s.cb(sdk.Finding{SigMetadata: s.meta, Event: ev, Data: data})
	}
	return nil
}

func (s *Signature) eval(ev *pb.Event) (map[string]any, bool, error) {
	rs, err := s.match.Eval(context.Background(), opa.EvalParsedInput(s.input.build(ev)), opa.EvalMetrics(metrics.NoOp()))
	if err != nil {
		return nil, false, err
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return nil, false, nil // undefined: no match
	}
	switch v := rs[0].Expressions[0].Value.(type) {
	case bool:
		return nil, v, nil
	case map[string]any:
		return fromOPA(v).(map[string]any), true, nil
	default:
		return nil, false, fmt.Errorf("result is %s, want a boolean or an object", typeName(v))
	}
}

// OnSignal does nothing: Rego signatures keep no state between events.
func (s *Signature) OnSignal(sdk.Signal) error { return nil }

// Close does nothing.
func (s *Signature) Close() {}
