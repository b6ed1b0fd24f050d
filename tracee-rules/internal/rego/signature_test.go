package rego_test

import (
	"strings"
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/internal/rego"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk/sdktest"
)

const evalHead = `package tracee.EVAL
__rego_metadoc__ := {"id": "EVAL-1", "name": "Eval"}
tracee_selected_events[s] { s := {"source": "tracee", "name": "openat"} }
`

func mustLoad(t *testing.T, src string) *rego.Signature {
	t.Helper()
	sig, err := rego.Load("eval.rego", src)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return sig
}

// TestOnEventErrors checks that evaluation problems come back from OnEvent as
// errors naming the signature and event, and that the signature keeps working.
func TestOnEventErrors(t *testing.T) {
	tests := []struct {
		name  string
		match string
		want  string
	}{
		{"conflicting outputs", `tracee_match = {"a": 1} { input.processId > 0 }
tracee_match = {"a": 2} { input.threadId > 0 }`, "eval_conflict_error"},
		{"string result", `tracee_match = "yes" { input.processId > 0 }`, "result is a string, want a boolean or an object"},
		{"number result", `tracee_match = 7 { input.processId > 0 }`, "result is a number, want a boolean or an object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sig := mustLoad(t, evalHead+tt.match+"\n")
			var findings []sdk.Finding
			if err := sig.Init(func(f sdk.Finding) { findings = append(findings, f) }); err != nil {
				t.Fatal(err)
			}
			err := sig.OnEvent(sdktest.Event("openat"))
			if err == nil {
				t.Fatal("OnEvent returned no error")
			}
			for _, w := range []string{"EVAL-1", "openat", tt.want} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			// An event on which the rule is undefined still evaluates cleanly.
			quiet := sdktest.InProcess(sdktest.Event("openat"), 0)
			quiet.UserId = 1
			if err := sig.OnEvent(quiet); err != nil {
				t.Errorf("OnEvent after an error: %v", err)
			}
			if len(findings) != 0 {
				t.Errorf("%d findings, want none", len(findings))
			}
		})
	}
}

func TestOnEventResults(t *testing.T) {
	tests := []struct {
		name  string
		match string
		ev    *pb.Event
		want  int
	}{
		{"true", `tracee_match { input.eventName == "openat" }`, sdktest.Event("openat"), 1},
		{"false", `tracee_match = false { input.eventName == "openat" }`, sdktest.Event("openat"), 0},
		{"undefined", `tracee_match { input.processId == 1 }`, sdktest.Event("openat"), 0},
		{"empty object", `tracee_match = {} { true }`, sdktest.Event("openat"), 1},
		// Built-in function errors make the expression undefined, as OPA does
		// by default (no StrictBuiltinErrors): no finding and no error.
		{"builtin error is undefined", `tracee_match = x { x := {"r": input.processId / input.userId} }`, sdktest.Event("openat"), 0},
		{"unselected event is not evaluated", `tracee_match { true }`, sdktest.Event("execve"), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sig := mustLoad(t, evalHead+tt.match+"\n")
			n := 0
			if err := sig.Init(func(sdk.Finding) { n++ }); err != nil {
				t.Fatal(err)
			}
			if err := sig.OnEvent(tt.ev); err != nil {
				t.Fatalf("OnEvent: %v", err)
			}
			if n != tt.want {
				t.Errorf("%d findings, want %d", n, tt.want)
			}
		})
	}
}

func TestOnEventMisuse(t *testing.T) {
	sig := mustLoad(t, evalHead+"tracee_match { true }\n")
	if err := sig.OnEvent(sdktest.Event("openat")); err == nil || !strings.Contains(err.Error(), "before Init") {
		t.Errorf("OnEvent before Init: err %v", err)
	}
	if err := sig.Init(nil); err == nil {
		t.Error("Init(nil) accepted")
	}
	if err := sig.Init(func(sdk.Finding) {}); err != nil {
		t.Fatal(err)
	}
	if err := sig.OnEvent(nil); err == nil {
		t.Error("OnEvent(nil) accepted")
	}
	if err := sig.OnSignal(sdk.SignalEndOfInput); err != nil {
		t.Errorf("OnSignal: %v", err)
	}
	if sig.File() != "eval.rego" {
		t.Errorf("File() = %q", sig.File())
	}
	sig.Close()
}
