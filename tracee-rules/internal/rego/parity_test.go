package rego_test

import (
	"reflect"
	"testing"

	"github.com/tracee-go/tracee/tracee-rules/internal/signatures"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk/sdktest"
)

// TestParityWithGo feeds the same cases to each Rego twin and to its Go
// signature and requires the same findings, data and metadata (except the id).
// TRC-2-REGO is Tracee's stateless original (every PTRACE_TRACEME); the Go
// TRC-2 tells a debugger's child apart by what follows (issue 10), which a
// per-event Rego rule cannot, so the two no longer match by design.
func TestParityWithGo(t *testing.T) {
	tests := []struct {
		regoID string
		goSig  func() sdk.Signature
		cases  []signatureCase
	}{
		{"TRC-6-REGO", func() sdk.Signature { return signatures.NewKernelModuleLoading() }, kernelModuleCases},
	}
	for _, tt := range tests {
		t.Run(tt.regoID, func(t *testing.T) {
			regoSig := builtin(t, tt.regoID)
			rm, _ := regoSig.GetMetadata()
			gm, _ := tt.goSig().GetMetadata()
			if rm.ID == gm.ID {
				t.Errorf("Rego and Go signatures share the id %s", rm.ID)
			}
			rm.ID, gm.ID, rm.Properties, gm.Properties = "", "", nil, nil
			if !reflect.DeepEqual(rm, gm) {
				t.Errorf("metadata differs\nrego %+v\n  go %+v", rm, gm)
			}
			rsel, _ := regoSig.GetSelectedEvents()
			gsel, _ := tt.goSig().GetSelectedEvents()
			if !reflect.DeepEqual(rsel, gsel) {
				t.Errorf("selected events differ: rego %v, go %v", rsel, gsel)
			}
			for _, tc := range tt.cases {
				t.Run(tc.name, func(t *testing.T) {
					rf := sdktest.Run(t, regoSig, tc.ev)
					gf := sdktest.Run(t, tt.goSig(), tc.ev)
					if len(rf) != len(gf) {
						t.Fatalf("rego: %d findings, go: %d", len(rf), len(gf))
					}
					for i := range rf {
						// Go keeps uint64/int64; Rego numbers come back as int64.
						if !equalJSON(rf[i].Data, gf[i].Data) {
							t.Errorf("data differs: rego %v, go %v", rf[i].Data, gf[i].Data)
						}
					}
				})
			}
		})
	}
}
