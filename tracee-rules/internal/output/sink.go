package output

import (
	"context"

	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// Sink receives findings. The engine calls Send from one goroutine; Close is
// called once at exit and should deliver what is pending before ctx ends.
type Sink interface {
	Send(f sdk.Finding) error
	Close(ctx context.Context) error
}
