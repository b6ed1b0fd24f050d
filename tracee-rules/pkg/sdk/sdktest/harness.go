package sdktest

import (
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// Harness drives one signature.
type Harness struct {
	tb       testing.TB
	sig      sdk.Signature
	selected map[string]bool
	sel      []sdk.SelectedEvent
	all      bool
	findings []sdk.Finding
}

// New initialises sig and fails the test if its metadata, selection or Init
// returns an error. The signature is closed when the test ends.
func New(tb testing.TB, sig sdk.Signature) *Harness {
	tb.Helper()
	h := &Harness{tb: tb, sig: sig, selected: map[string]bool{}}
	if _, err := sig.GetMetadata(); err != nil {
		tb.Fatalf("GetMetadata: %v", err)
	}
	sel, err := sig.GetSelectedEvents()
	if err != nil {
		tb.Fatalf("GetSelectedEvents: %v", err)
	}
	h.sel = sel
	for _, s := range sel {
		for _, f := range s.Filters {
			if _, err := sdk.ParseDataFilter(f); err != nil {
				tb.Fatalf("GetSelectedEvents: %s: %v", s.Name, err)
			}
		}
		if s.Name == "*" {
			h.all = true
		}
		h.selected[s.Name] = true
	}
	if err := sig.Init(func(f sdk.Finding) { h.findings = append(h.findings, f) }); err != nil {
		tb.Fatalf("Init: %v", err)
	}
	tb.Cleanup(sig.Close)
	return h
}

// Selects reports whether the signature selected the event name.
func (h *Harness) Selects(name string) bool { return h.all || h.selected[name] }

// Wants reports whether the signature's selection, data filters included,
// asks for ev (what tracee-ebpf would deliver under its policy).
func (h *Harness) Wants(ev *pb.Event) bool {
	ok, err := sdk.Wants(h.sel, ev)
	if err != nil {
		h.tb.Fatalf("selected events: %v", err)
	}
	return ok
}

// Requested reports whether tracee-ebpf, running the policy built from the
// signature's selection, delivers ev (StreamOnly events are not requested).
func (h *Harness) Requested(ev *pb.Event) bool {
	ok, err := sdk.Requested(h.sel, ev)
	if err != nil {
		h.tb.Fatalf("selected events: %v", err)
	}
	return ok
}

// Feed delivers the events the signature selects, in order, and returns the
// findings they produced. An OnEvent error fails the test, and so does a
// finding on an event that the signature's own data filters would have kept
// from it (see sdk.SelectedEvent.Filters).
func (h *Harness) Feed(evs ...*pb.Event) []sdk.Finding {
	h.tb.Helper()
	start := len(h.findings)
	for i, ev := range evs {
		if !h.Selects(ev.GetEventName()) {
			continue
		}
		before := len(h.findings)
		if err := h.sig.OnEvent(ev); err != nil {
			h.tb.Fatalf("OnEvent(event %d, %s): %v", i, ev.GetEventName(), err)
		}
		if len(h.findings) > before && !h.Wants(ev) {
			h.tb.Errorf("finding on event %d (%s), which the signature's declared data filters drop: a policy built from them would lose this detection", i, ev.GetEventName())
		}
	}
	return h.findings[start:len(h.findings):len(h.findings)]
}

// End sends SignalEndOfInput and returns the findings it produced.
func (h *Harness) End() []sdk.Finding {
	h.tb.Helper()
	start := len(h.findings)
	if err := h.sig.OnSignal(sdk.SignalEndOfInput); err != nil {
		h.tb.Fatalf("OnSignal: %v", err)
	}
	return h.findings[start:len(h.findings):len(h.findings)]
}

// Findings returns every finding so far.
func (h *Harness) Findings() []sdk.Finding { return h.findings }

// Run feeds evs to a fresh harness for sig and returns all findings.
func Run(tb testing.TB, sig sdk.Signature, evs ...*pb.Event) []sdk.Finding {
	tb.Helper()
	return New(tb, sig).Feed(evs...)
}
