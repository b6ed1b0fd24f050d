package health

import (
	"fmt"
	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/obs"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// CanaryID is the canary signature's ID.
const CanaryID = "TRACEE-CANARY"

// CanarySignature feeds the markers it sees to a Canary.
type CanarySignature struct{ c *obs.Canary }

// NewCanarySignature returns the signature feeding c.
func NewCanarySignature(c *obs.Canary) *CanarySignature { return &CanarySignature{c} }

// GetMetadata implements sdk.Signature.
func (s *CanarySignature) GetMetadata() (sdk.Metadata, error) {
	return sdk.Metadata{
		ID:          CanaryID,
		Version:     "1.0.0",
		Name:        "Detection canary",
		Description: "Recognises tracee-ebpf's self-test marker for /healthz; never reports a finding.",
		Severity:    sdk.SeverityInfo,
		Tags:        []string{"internal"},
	}, nil
}

// GetSelectedEvents implements sdk.Signature.
func (s *CanarySignature) GetSelectedEvents() ([]sdk.SelectedEvent, error) {
	// Only the marker's prctl option: tracee-ebpf drops other prctls in the kernel.
	return []sdk.SelectedEvent{{Source: "tracee", Name: obs.CanaryEvent,
		Filters: []string{fmt.Sprintf("data.option=%d", obs.CanaryOption)}}}, nil
}

// Init implements sdk.Signature; the callback is never called.
func (s *CanarySignature) Init(sdk.Callback) error { return nil }

// OnEvent implements sdk.Signature.
func (s *CanarySignature) OnEvent(ev *pb.Event) error {
	s.c.Observe(ev)
	return nil
}

// OnSignal implements sdk.Signature.
func (s *CanarySignature) OnSignal(sdk.Signal) error { return nil }

// Close implements sdk.Signature.
func (s *CanarySignature) Close() {}
