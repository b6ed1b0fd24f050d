package engine

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// fakeSig records what it receives; onEvent decides what it does.
type fakeSig struct {
	id      string
	events  []string
	onEvent func(f *fakeSig, ev *pb.Event) error
	initErr error
	cb      sdk.Callback
	got     []string
	signals []sdk.Signal
	closed  int
}

func (f *fakeSig) GetMetadata() (sdk.Metadata, error) {
	return sdk.Metadata{ID: f.id, Name: "fake " + f.id}, nil
}
func (f *fakeSig) GetSelectedEvents() ([]sdk.SelectedEvent, error) {
	var out []sdk.SelectedEvent
	for _, e := range f.events {
		out = append(out, sdk.SelectedEvent{Source: "tracee", Name: e})
	}
	return out, nil
}
func (f *fakeSig) Init(cb sdk.Callback) error { f.cb = cb; return f.initErr }
func (f *fakeSig) OnEvent(ev *pb.Event) error {
	f.got = append(f.got, ev.GetEventName())
	if f.onEvent != nil {
		return f.onEvent(f, ev)
	}
	return nil
}
func (f *fakeSig) OnSignal(s sdk.Signal) error {
	f.signals = append(f.signals, s)
	if s == sdk.SignalEndOfInput {
		f.cb(sdk.Finding{Data: map[string]any{"summary": len(f.got)}})
	}
	return nil
}
func (f *fakeSig) Close() { f.closed++ }

func evn(name string) *pb.Event { return &pb.Event{EventName: name} }

func TestRouting(t *testing.T) {
	a := &fakeSig{id: "A", events: []string{"openat", "close"}}
	b := &fakeSig{id: "B", events: []string{"close", "close"}} // duplicate selection delivered once
	all := &fakeSig{id: "ALL", events: []string{"*"}}
	var findings []sdk.Finding
	e, err := New([]sdk.Signature{a, b, all}, func(f sdk.Finding) { findings = append(findings, f) })
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"openat", "read", "close", "mmap", "close"} {
		e.Dispatch(evn(n))
	}
	if want := []string{"openat", "close", "close"}; !reflect.DeepEqual(a.got, want) {
		t.Errorf("A got %v, want %v", a.got, want)
	}
	if want := []string{"close", "close"}; !reflect.DeepEqual(b.got, want) {
		t.Errorf("B got %v, want %v", b.got, want)
	}
	if want := []string{"openat", "read", "close", "mmap", "close"}; !reflect.DeepEqual(all.got, want) {
		t.Errorf("ALL got %v, want %v", all.got, want)
	}
	e.EndOfInput()
	e.EndOfInput() // once only
	e.Close()
	e.Close()
	for _, s := range []*fakeSig{a, b, all} {
		if !reflect.DeepEqual(s.signals, []sdk.Signal{sdk.SignalEndOfInput}) || s.closed != 1 {
			t.Errorf("%s: signals %v, closed %d", s.id, s.signals, s.closed)
		}
	}
	if len(findings) != 3 || findings[0].SigMetadata.ID != "A" || findings[2].SigMetadata.Name != "fake ALL" {
		t.Fatalf("findings %+v: want one per signature with metadata filled in", findings)
	}
	st := e.Stats()
	if st.EventsIn != 5 || st.Unrouted != 0 {
		t.Errorf("stats %+v", st)
	}
	wantEvents := []uint64{3, 2, 5}
	for i, s := range st.Signatures {
		if s.Events != wantEvents[i] || s.Findings != 1 || s.Errors != 0 {
			t.Errorf("signature %s stats %+v, want %d events, 1 finding", s.ID, s, wantEvents[i])
		}
	}
	names, wild := e.SelectedEvents()
	if !reflect.DeepEqual(names, []string{"close", "openat"}) || !wild {
		t.Errorf("SelectedEvents = %v, %v", names, wild)
	}
}

func TestUnrouted(t *testing.T) {
	e, err := New([]sdk.Signature{&fakeSig{id: "A", events: []string{"ptrace"}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	e.Dispatch(evn("openat"))
	e.Dispatch(evn("ptrace"))
	if st := e.Stats(); st.EventsIn != 2 || st.Unrouted != 1 {
		t.Errorf("stats %+v, want 2 in, 1 unrouted", st)
	}
}

func TestPanicAndErrorRecovery(t *testing.T) {
	panicky := &fakeSig{id: "P", events: []string{"x"}, onEvent: func(f *fakeSig, ev *pb.Event) error {
		var m map[string]int
		m["boom"] = 1 // nil map write panics
		return nil
	}}
	failing := &fakeSig{id: "F", events: []string{"x"}, onEvent: func(*fakeSig, *pb.Event) error { return errors.New("bad arg") }}
	good := &fakeSig{id: "G", events: []string{"x"}, onEvent: func(f *fakeSig, ev *pb.Event) error {
		f.cb(sdk.Finding{Event: ev})
		return nil
	}}
	type rep struct {
		id  string
		n   uint64
		err error
	}
	var reports []rep
	var findings int
	e, err := New([]sdk.Signature{panicky, failing, good}, func(sdk.Finding) { findings++ },
		WithErrorReporter(func(id string, n uint64, err error) { reports = append(reports, rep{id, n, err}) }))
	if err != nil {
		t.Fatal(err)
	}
	const n = 2000
	for i := 0; i < n; i++ {
		e.Dispatch(evn("x"))
	}
	if findings != n {
		t.Errorf("good signature produced %d findings, want %d", findings, n)
	}
	st := e.Stats()
	byID := map[string]SigStats{}
	for _, s := range st.Signatures {
		byID[s.ID] = s
	}
	if s := byID["P"]; s.Errors != n || s.Panics != n {
		t.Errorf("panicky stats %+v", s)
	}
	if s := byID["F"]; s.Errors != n || s.Panics != 0 {
		t.Errorf("failing stats %+v", s)
	}
	if s := byID["G"]; s.Errors != 0 || s.Findings != n {
		t.Errorf("good stats %+v", s)
	}
	// First 10 of each, then every 1000th: 10 + 2 per failing signature.
	if len(reports) != 24 {
		t.Errorf("got %d reports, want 24", len(reports))
	}
	var pe *PanicError
	if !errors.As(reports[0].err, &pe) || !strings.Contains(pe.Error(), "nil map") || len(pe.Stack) == 0 {
		t.Errorf("first report %v: want a PanicError with stack", reports[0].err)
	}
	if last := reports[len(reports)-1]; last.n != 2000 || !strings.Contains(last.err.Error(), "bad arg") {
		t.Errorf("last report %+v", last)
	}
}

func TestNewErrors(t *testing.T) {
	cases := []struct {
		name string
		sigs []sdk.Signature
		want string
	}{
		{"duplicate id", []sdk.Signature{&fakeSig{id: "A"}, &fakeSig{id: "A"}}, "duplicate signature ID: A"},
		{"init error", []sdk.Signature{&fakeSig{id: "A", initErr: errors.New("no")}}, "signature A: init: no"},
		{"empty id", []sdk.Signature{&fakeSig{id: ""}}, "has no ID"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.sigs, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestDescribeAndEventNames(t *testing.T) {
	descs, err := Describe([]sdk.Signature{
		&fakeSig{id: "A", events: []string{"ptrace", "init_module"}},
		&fakeSig{id: "B", events: []string{"finit_module", "ptrace"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	names, wild := EventNames(descs)
	if got := strings.Join(names, ","); got != "finit_module,init_module,ptrace" || wild {
		t.Errorf("EventNames = %s, %v", got, wild)
	}
	if fmt.Sprint(descs[0].Events) != "[init_module ptrace]" {
		t.Errorf("A events %v, want sorted", descs[0].Events)
	}
}
