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
	for _, s := range sel {
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

// Feed delivers the events the signature selects, in order, and returns the
// findings they produced. An OnEvent error fails the test.
func (h *Harness) Feed(evs ...*pb.Event) []sdk.Finding {
	h.tb.Helper()
	start := len(h.findings)
	for i, ev := range evs {
		if !h.Selects(ev.GetEventName()) {
			continue
		}
		if err := h.sig.OnEvent(ev); err != nil {
			h.tb.Fatalf("OnEvent(event %d, %s): %v", i, ev.GetEventName(), err)
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
