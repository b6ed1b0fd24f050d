package engine

import (
	"errors"
	"fmt"
	"runtime/debug"
	"sort"
	"sync/atomic"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// ErrDuplicateID is wrapped when two signatures share an ID.
var ErrDuplicateID = errors.New("duplicate signature ID")

// FindingHandler receives every finding, on the goroutine that called
// Dispatch or EndOfInput.
type FindingHandler func(sdk.Finding)

// ErrorReporter is told about signature failures. n is how many failures this
// signature has had so far (the engine reports the first ones and then only
// every 1000th, to keep a failing signature from flooding the output).
type ErrorReporter func(sigID string, n uint64, err error)

// sigState is one signature and its counters.
type sigState struct {
	sig      sdk.Signature
	meta     sdk.Metadata
	selected []string
	events   atomic.Uint64
	findings atomic.Uint64
	errors   atomic.Uint64
	panics   atomic.Uint64
}

// Engine routes events to signatures. Dispatch, EndOfInput and Close must be
// called from one goroutine; Stats may be called from any.
type Engine struct {
	sigs     []*sigState
	byName   map[string][]*sigState
	all      []*sigState // selected "*"
	onFind   FindingHandler
	report   ErrorReporter
	eventsIn atomic.Uint64
	unrouted atomic.Uint64
	ended    bool
	closed   bool
	evidence evidenceWaits
}

// Option configures an Engine.
type Option func(*Engine)

// WithErrorReporter sets where signature failures are reported (default: nowhere;
// they are still counted).
func WithErrorReporter(r ErrorReporter) Option { return func(e *Engine) { e.report = r } }

// New initialises the signatures and builds the routing table. A signature
// whose metadata, selection or Init fails is an error: nothing is started.
func New(sigs []sdk.Signature, onFinding FindingHandler, opts ...Option) (*Engine, error) {
	e := &Engine{byName: make(map[string][]*sigState), onFind: onFinding}
	for _, o := range opts {
		o(e)
	}
	ids := map[string]bool{}
	for _, sig := range sigs {
		st, err := describe(sig)
		if err != nil {
			return nil, err
		}
		if ids[st.meta.ID] {
			return nil, fmt.Errorf("%w: %s", ErrDuplicateID, st.meta.ID)
		}
		ids[st.meta.ID] = true
		for _, name := range st.selected {
			if name == "*" {
				e.all = append(e.all, st)
			} else {
				e.byName[name] = append(e.byName[name], st)
			}
		}
		e.sigs = append(e.sigs, st)
	}
	for _, st := range e.sigs {
		st := st
		cb := func(f sdk.Finding) {
			if f.SigMetadata.ID == "" {
				f.SigMetadata = st.meta
			}
			f.Data = withArtifacts(f.Data, f.Event)
			st.findings.Add(1)
			e.evidence.note(st, f)
			if e.onFind != nil {
				e.onFind(f)
			}
		}
		if err := safeCall(func() error { return st.sig.Init(cb) }); err != nil {
			return nil, fmt.Errorf("signature %s: init: %w", st.meta.ID, err)
		}
	}
	return e, nil
}

// describe reads a signature's metadata and selected event names (sorted,
// de-duplicated, only source "tracee" or unspecified).
func describe(sig sdk.Signature) (*sigState, error) {
	st := &sigState{sig: sig}
	var err error
	if err = safeCall(func() error { st.meta, err = sig.GetMetadata(); return err }); err != nil {
		return nil, fmt.Errorf("signature metadata: %w", err)
	}
	if st.meta.ID == "" {
		return nil, fmt.Errorf("signature %q has no ID", st.meta.Name)
	}
	var sel []sdk.SelectedEvent
	if err = safeCall(func() error { sel, err = sig.GetSelectedEvents(); return err }); err != nil {
		return nil, fmt.Errorf("signature %s: selected events: %w", st.meta.ID, err)
	}
	seen := map[string]bool{}
	for _, s := range sel {
		if s.Source != "" && s.Source != "tracee" && s.Source != "*" {
			continue
		}
		if s.Name == "" || seen[s.Name] {
			continue
		}
		seen[s.Name] = true
		st.selected = append(st.selected, s.Name)
	}
	sort.Strings(st.selected)
	return st, nil
}

// Dispatch delivers one event to the signatures that selected it.
func (e *Engine) Dispatch(ev *pb.Event) {
	e.eventsIn.Add(1)
	for _, p := range e.evidence.complete(ev) {
		p.st.findings.Add(1)
		if e.onFind != nil {
			e.onFind(p.f)
		}
	}
	targets := e.byName[ev.GetEventName()]
	if len(targets) == 0 && len(e.all) == 0 {
		e.unrouted.Add(1)
		return
	}
	for _, st := range targets {
		e.deliver(st, ev)
	}
	for _, st := range e.all {
		e.deliver(st, ev)
	}
}

func (e *Engine) deliver(st *sigState, ev *pb.Event) {
	st.events.Add(1)
	if err := e.onEvent(st, ev); err != nil {
		e.fail(st, fmt.Errorf("event %s: %w", ev.GetEventName(), err))
	}
}

// onEvent calls OnEvent, turning a panic into an error.
func (e *Engine) onEvent(st *sigState, ev *pb.Event) (err error) {
	defer func() {
		if r := recover(); r != nil {
			st.panics.Add(1)
			err = &PanicError{Value: r, Stack: debug.Stack()}
		}
	}()
	return st.sig.OnEvent(ev)
}

func (e *Engine) fail(st *sigState, err error) {
	n := st.errors.Add(1)
	if e.report != nil && (n <= 10 || n%1000 == 0) {
		e.report(st.meta.ID, n, err)
	}
}

// EndOfInput sends sdk.SignalEndOfInput to every signature (once).
func (e *Engine) EndOfInput() {
	if e.ended {
		return
	}
	e.ended = true
	for _, st := range e.sigs {
		if err := safeCall(func() error { return st.sig.OnSignal(sdk.SignalEndOfInput) }); err != nil {
			e.fail(st, fmt.Errorf("end of input: %w", err))
		}
	}
}

// Close closes every signature (once).
func (e *Engine) Close() {
	if e.closed {
		return
	}
	e.closed = true
	for _, st := range e.sigs {
		if err := safeCall(func() error { st.sig.Close(); return nil }); err != nil {
			e.fail(st, fmt.Errorf("close: %w", err))
		}
	}
}

// PanicError is a recovered signature panic.
type PanicError struct {
	Value any
	Stack []byte
}

func (p *PanicError) Error() string { return fmt.Sprintf("panic: %v", p.Value) }

func safeCall(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &PanicError{Value: r, Stack: debug.Stack()}
		}
	}()
	return f()
}
