package probes

import (
	"testing"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/abi"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/testutil"
)

// The raw_tracepoint build (kernels without tp_btf) verifies and attaches
// every hook too: here it is forced by hiding tp_btf.
func TestLoadRawTracepointBuild(t *testing.T) {
	testutil.RequirePrivileged(t)
	f := ProbeFeatures()
	if !f.Available(FacilityRawTp) {
		t.Skip("no raw_tracepoint here") // never the case on the project's machines
	}
	have := map[string]bool{}
	for k, v := range f.Have {
		have[k] = v
	}
	have[FacilityTpBtf] = false
	f = &Features{Have: have, Reason: f.Reason}
	sel, kinds, emit := everything()
	p, err := Load(Options{Selected: sel, ArgKinds: kinds, Emit: emit}, f)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for hook, m := range p.Methods {
		if m != FacilityRawTp && m != "on_demand" {
			t.Errorf("hook %s attached by %s, want %s", hook, m, FacilityRawTp)
		}
	}
	if len(p.Methods) != len(abi.Hooks) {
		t.Errorf("attached %s, want all %d hooks", p.Describe(), len(abi.Hooks))
	}
}
