package traceejson

import (
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// Finding is the JSON form of a finding.
type Finding struct {
	SignatureMetadata sdk.Metadata   `json:"signatureMetadata"`
	Event             *Event         `json:"event"`
	Data              map[string]any `json:"data"`
}

// FromFinding converts a finding to its JSON form.
func FromFinding(f sdk.Finding) Finding {
	out := Finding{SignatureMetadata: f.SigMetadata, Data: f.Data}
	if out.Data == nil {
		out.Data = map[string]any{}
	}
	if f.Event != nil {
		out.Event = FromProto(f.Event)
	}
	return out
}
