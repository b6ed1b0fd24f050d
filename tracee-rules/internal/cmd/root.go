package cmd

import (
	"context"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/tracee-go/tracee/tracee-ebpf/pkg/cli"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/flagfile"
)

// options are the core flags.
type options struct {
	inputs         []string
	outputs        []string
	outputTemplate string
	rules          []string
	list           bool
	listEvents     bool
	listPolicy     bool
	config         string
}

// NewRootCommand returns the tracee-rules command writing to stdout/stderr.
func NewRootCommand(stdout, stderr io.Writer) *cobra.Command {
	var o options
	c := &cobra.Command{
		Use:   "tracee-rules",
		Short: "Detect suspicious behaviour in tracee-ebpf's event stream",
		Long: `tracee-rules reads the events tracee-ebpf produces and runs signatures on them.

Typical use:
  tracee-ebpf --output format:protobuf --policy <(tracee-rules --list-policy) | tracee-rules
  tracee-rules --input-tracee unix:/run/tracee.sock --output format:json`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.config != "" {
				if err := flagfile.Load(cmd.Flags(), o.config); err != nil {
					return cli.Usage(err)
				}
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return run(ctx, &o, stdout, stderr)
		},
	}
	cli.Configure(c, stdout, stderr)
	fs := c.Flags()
	fs.StringArrayVar(&o.inputs, "input-tracee", nil, "input, repeatable key:value: file:stdin (default), file:PATH, unix:PATH (tracee-ebpf's socket; reconnects), format:protobuf (default) or format:json")
	fs.StringArrayVar(&o.outputs, "output", nil, "output, key:value: format:line (default, one readable line per finding) or format:json (one JSON object per line)")
	fs.StringVar(&o.outputTemplate, "output-template", "", "print findings with a Go template: a file, or a built-in: simple.tmpl, json.tmpl, csv.tmpl")
	fs.StringSliceVar(&o.rules, "rules", nil, "run only these signatures, by ID (TRC-2,TRC-6)")
	fs.BoolVar(&o.list, "list", false, "list the signatures and exit")
	fs.BoolVar(&o.listPolicy, "list-policy", false, "print the Tracee policy the selected signatures need (one per signature, with their data filters; for tracee-ebpf --policy) and exit")
	fs.BoolVar(&o.listEvents, "list-events", false, "print the events the selected signatures need, comma-separated (for tracee-ebpf --trace event=...), and exit")
	fs.StringVar(&o.config, flagfile.FlagName, "", "read flags from this YAML file (keys are long flag names, lists for repeatable flags); the command line wins")
	for _, e := range extensions {
		if e.AddFlags != nil {
			e.AddFlags(fs)
		}
	}
	return c
}

// Execute runs the command with the process's arguments and returns the exit code.
// (0 ok, 1 runtime error, 2 usage error: see tracee-ebpf/pkg/cli).
func Execute() int {
	slog.SetDefault(cli.NewLogger("tracee-rules", os.Stderr))
	c := NewRootCommand(os.Stdout, os.Stderr)
	return cli.Exit("tracee-rules", c.ExecuteContext(context.Background()), os.Stderr)
}
