package cmd

import (
	"context"

	"github.com/spf13/pflag"

	"github.com/tracee-go/tracee/tracee-rules/internal/metrics"
	"github.com/tracee-go/tracee/tracee-rules/internal/output"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// --metrics-addr, --pprof: Prometheus metrics (events read, decoded, lost,
// findings per signature, webhook outcomes) and net/http/pprof.
func init() {
	var cfg metrics.ServerConfig
	var m *metrics.Metrics
	enabled := func() bool { return cfg.MetricsAddr != "" || cfg.PprofAddr != "" || cfg.Pprof }
	RegisterExtension(Extension{
		Name:     "metrics",
		AddFlags: func(fs *pflag.FlagSet) { cfg.AddFlags(fs) },
		Sinks: func(context.Context) ([]output.Sink, error) {
			if !enabled() {
				return nil, nil
			}
			m = metrics.New()
			return []output.Sink{findingCounter{m}}, nil
		},
		Prepare: func(rt *Runtime) error {
			if m == nil {
				return nil
			}
			rt.InputHooks.OnLost = m.Lost
			rt.InputHooks.OnDecodeError = m.DecodeError
			rt.InputHooks.OnEvent = m.EventDecoded
			return nil
		},
		Start: func(ctx context.Context, rt *Runtime) (func(context.Context) error, error) {
			if m == nil {
				return nil, nil
			}
			for _, s := range rt.Sinks {
				if w, ok := s.(metrics.WebhookSource); ok {
					if err := m.RegisterWebhook(w); err != nil {
						return nil, err
					}
				}
			}
			cfg.Health = healthChecks(m)
			srv, err := metrics.Start(cfg, m.Registry, nil)
			if err != nil {
				return nil, err
			}
			return srv.Close, nil
		},
	})
}

type findingCounter struct{ m *metrics.Metrics }

func (f findingCounter) Send(fd sdk.Finding) error   { f.m.Finding(fd.SigMetadata); return nil }
func (f findingCounter) Close(context.Context) error { return nil }
