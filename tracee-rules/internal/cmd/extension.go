package cmd

import (
	"context"

	"github.com/spf13/pflag"

	pb "github.com/tracee-go/tracee/proto/traceepb"

	"github.com/tracee-go/tracee/tracee-rules/internal/engine"
	"github.com/tracee-go/tracee/tracee-rules/internal/input"
	"github.com/tracee-go/tracee/tracee-rules/internal/output"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// Extension wires an optional feature into the command. Register it with
// RegisterExtension from an init function in its own file of this package:
//
//   - rego.go (Rego engineer): --rules-dir; Signatures returns the Rego
//     signatures (they are then selected by --rules like the Go ones).
//   - webhook.go (webhook engineer): --webhook, --webhook-template,
//     --webhook-content-type, ...; Sinks returns the webhook sink.
//   - metrics.go (metrics engineer): --metrics-addr, --pprof; Start serves
//     them, reading Runtime.Engine.Stats() and Runtime.Input.Stats(), and may
//     set Runtime.InputHooks (Lost frames, decode errors) and add a Sink
//     counting findings.
//
// All fields are optional.
type Extension struct {
	Name string
	// AddFlags registers the extension's flags on the root command.
	AddFlags func(fs *pflag.FlagSet)
	// Signatures contributes signatures, before --rules selection. It is
	// also called for --list and --list-events.
	Signatures func() ([]sdk.Signature, error)
	// OptInSignatures are listed by --list but run only when --rules
	// names them (built-in Rego twins of Go signatures).
	OptInSignatures func() ([]sdk.Signature, error)
	// Internal signatures always run, whatever --rules says, and are not
	// listed by --list (the detection canary). Their events are part of
	// --list-events.
	Internal func() []sdk.Signature
	// Sinks contributes finding sinks (called only when running).
	Sinks func(ctx context.Context) ([]output.Sink, error)
	// Prepare runs before the input is opened; it may set rt.InputHooks.
	Prepare func(rt *Runtime) error
	// Start runs once the engine exists, before events flow. The returned
	// stop function (may be nil) is called at exit.
	Start func(ctx context.Context, rt *Runtime) (stop func(context.Context) error, err error)
}

// Runtime is what extensions see of a run.
type Runtime struct {
	Engine *engine.Engine
	Input  *input.Input
	// Sinks are every finding sink of the run (stdout's first); an
	// extension finds the ones it reports on by interface (metrics reads
	// the webhook's counters from a sink with Stats).
	Sinks []output.Sink
	// InputHooks may be set in Prepare.
	InputHooks struct {
		OnLost        func(*pb.Lost)
		OnDecodeError func()
		OnEvent       func(*pb.Event) // every event read, before dispatch
	}
}

var extensions []Extension

// RegisterExtension adds an extension. Call it from init.
func RegisterExtension(e Extension) { extensions = append(extensions, e) }
