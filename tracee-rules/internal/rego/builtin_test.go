package rego_test

import (
	"reflect"
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/internal/rego"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk/sdktest"
)

// builtin returns the shipped Rego signature with the given id.
func builtin(t testing.TB, id string) sdk.Signature {
	t.Helper()
	sigs, err := rego.Builtin()
	if err != nil {
		t.Fatalf("Builtin: %v", err)
	}
	for _, s := range sigs {
		if m, _ := s.GetMetadata(); m.ID == id {
			return s
		}
	}
	t.Fatalf("no built-in rego signature %s", id)
	return nil
}

func TestBuiltinMetadata(t *testing.T) {
	sigs, err := rego.Builtin()
	if err != nil {
		t.Fatalf("Builtin: %v", err)
	}
	tests := []struct {
		id       string
		meta     sdk.Metadata
		selected []sdk.SelectedEvent
	}{
		{
			id: "TRC-2-REGO",
			meta: sdk.Metadata{
				ID: "TRC-2-REGO", Version: "1.0.0", Name: "Anti-Debugging",
				Severity: sdk.SeverityHigh, MitreCategory: "Defense Evasion", MitreTechnique: "T1622 Debugger Evasion",
				Tags: []string{"linux", "container"},
			},
			selected: []sdk.SelectedEvent{{Source: "tracee", Name: "ptrace", Filters: []string{"data.request=PTRACE_TRACEME"}}},
		},
		{
			id: "TRC-6-REGO",
			meta: sdk.Metadata{
				ID: "TRC-6-REGO", Version: "1.0.0", Name: "Kernel Module Loading",
				Severity: sdk.SeverityMedium, MitreCategory: "Persistence",
				MitreTechnique: "T1547.006 Boot or Logon Autostart Execution: Kernel Modules and Extensions",
				Tags:           []string{"linux", "container"},
			},
			selected: []sdk.SelectedEvent{{Source: "tracee", Name: "finit_module"}, {Source: "tracee", Name: "init_module"}},
		},
	}
	if len(sigs) != len(tests) {
		t.Errorf("Builtin returned %d signatures, want %d", len(sigs), len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			sig := builtin(t, tt.id)
			got, err := sig.GetMetadata()
			if err != nil {
				t.Fatal(err)
			}
			if got.Description == "" {
				t.Error("empty description")
			}
			if got.Properties["Severity"] != int64(tt.meta.Severity) {
				t.Errorf("properties.Severity = %v, want %d", got.Properties["Severity"], tt.meta.Severity)
			}
			got.Description, got.Properties = "", nil
			if !reflect.DeepEqual(got, tt.meta) {
				t.Errorf("metadata\n got %+v\nwant %+v", got, tt.meta)
			}
			sel, err := sig.GetSelectedEvents()
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(sel, tt.selected) {
				t.Errorf("selected events = %v, want %v", sel, tt.selected)
			}
		})
	}
}

// signatureCase is one event fed to a signature and the finding data it must
// produce (nil: no finding).
type signatureCase struct {
	name string
	ev   *pb.Event
	want map[string]any
}

var traceme = map[string]any{"ptrace request": "PTRACE_TRACEME"}

// antiDebuggingCases are the TRC-2 cases, shared with the Go signature in
// parity_test.go.
var antiDebuggingCases = []signatureCase{
	{"repr only", sdktest.Event("ptrace", sdktest.Repr("request", "PTRACE_TRACEME"), sdktest.Int("pid", 0)), traceme},
	{"number with repr", sdktest.Event("ptrace", sdktest.Flag("request", 0, "PTRACE_TRACEME")), traceme},
	{"number 0 without repr", sdktest.Event("ptrace", sdktest.Int("request", 0)), traceme},
	{"unsigned 0", sdktest.Event("ptrace", sdktest.Uint("request", 0)), traceme},
	{"string value", sdktest.Event("ptrace", sdktest.Str("request", "PTRACE_TRACEME")), traceme},
	{"failed call still reported", sdktest.Ret(sdktest.Event("ptrace", sdktest.Flag("request", 0, "PTRACE_TRACEME")), -1), traceme},
	{"PTRACE_ATTACH", sdktest.Event("ptrace", sdktest.Flag("request", 16, "PTRACE_ATTACH"), sdktest.Int("pid", 42)), nil},
	{"PTRACE_ATTACH number", sdktest.Event("ptrace", sdktest.Int("request", 16)), nil},
	{"PTRACE_POKETEXT repr", sdktest.Event("ptrace", sdktest.Repr("request", "PTRACE_POKETEXT")), nil},
	{"string zero is not a number", sdktest.Event("ptrace", sdktest.Str("request", "0")), nil},
	{"no request argument", sdktest.Event("ptrace", sdktest.Int("pid", 0)), nil},
	{"request without value", sdktest.Event("ptrace", &pb.Argument{Name: "request", Type: "long"}), nil},
	{"other event with request 0", sdktest.Event("prctl", sdktest.Int("request", 0)), nil},
}

func moduleData(syscall string, ret int64, extra map[string]any) map[string]any {
	m := map[string]any{"syscall": syscall, "return value": ret}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

// kernelModuleCases are the TRC-6 cases, shared with the Go signature.
var kernelModuleCases = []signatureCase{
	{"init_module", sdktest.Event("init_module", sdktest.Uint("module_image", 0x7f0000), sdktest.Uint("len", 4096), sdktest.Str("param_values", "debug=1")),
		moduleData("init_module", 0, map[string]any{"len": int64(4096), "param_values": "debug=1"})},
	{"init_module empty params", sdktest.Event("init_module", sdktest.Uint("len", 10), sdktest.Str("param_values", "")),
		moduleData("init_module", 0, map[string]any{"len": int64(10)})},
	{"finit_module", sdktest.Event("finit_module", sdktest.Int("fd", 3), sdktest.Str("param_values", ""), sdktest.Flag("flags", 0, "")),
		moduleData("finit_module", 0, map[string]any{"fd": int64(3)})},
	{"finit_module failed", sdktest.Ret(sdktest.Event("finit_module", sdktest.Int("fd", 3), sdktest.Str("param_values", "x=y")), -1),
		moduleData("finit_module", -1, map[string]any{"fd": int64(3), "param_values": "x=y"})},
	{"finit_module has no len", sdktest.Event("finit_module", sdktest.Int("fd", 4), sdktest.Uint("len", 9)),
		moduleData("finit_module", 0, map[string]any{"fd": int64(4)})},
	{"init_module no args", sdktest.Event("init_module"), moduleData("init_module", 0, nil)},
	{"delete_module", sdktest.Event("delete_module", sdktest.Str("name", "x")), nil},
	{"openat of a .ko", sdktest.Event("openat", sdktest.Str("pathname", "/lib/modules/x.ko")), nil},
}

func runCases(t *testing.T, sig sdk.Signature, cases []signatureCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			findings := sdktest.Run(t, sig, tc.ev)
			if tc.want == nil {
				if len(findings) != 0 {
					t.Fatalf("got %d findings (%v), want none", len(findings), findings[0].Data)
				}
				return
			}
			if len(findings) != 1 {
				t.Fatalf("got %d findings, want 1", len(findings))
			}
			f := findings[0]
			if f.Event != tc.ev {
				t.Error("finding does not carry the triggering event")
			}
			if m, _ := sig.GetMetadata(); f.SigMetadata.ID != m.ID {
				t.Errorf("finding metadata id %q, want %q", f.SigMetadata.ID, m.ID)
			}
			if !reflect.DeepEqual(f.Data, tc.want) {
				t.Errorf("data = %#v, want %#v", f.Data, tc.want)
			}
		})
	}
}

func TestAntiDebugging(t *testing.T) { runCases(t, builtin(t, "TRC-2-REGO"), antiDebuggingCases) }

func TestKernelModuleLoading(t *testing.T) {
	runCases(t, builtin(t, "TRC-6-REGO"), kernelModuleCases)
}
