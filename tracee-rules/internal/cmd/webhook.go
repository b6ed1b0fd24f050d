package cmd

import (
	"context"
	"errors"

	"github.com/spf13/pflag"

	"github.com/tracee-go/tracee/tracee-rules/internal/output"
	"github.com/tracee-go/tracee/tracee-rules/internal/webhook"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// --webhook: findings to an HTTP receiver (falcosidekick or any JSON
// consumer), queued, retried and spooled under --install-path so that a
// receiver that is down loses nothing.
func init() {
	var cfg webhook.Config
	var installPath string
	RegisterExtension(Extension{
		Name: "webhook",
		AddFlags: func(fs *pflag.FlagSet) {
			cfg.AddFlags(fs)
			fs.StringVar(&installPath, "install-path", webhook.DefaultInstallPath, "directory for run-time files (the webhook spool under spool/)")
		},
		Sinks: func(context.Context) ([]output.Sink, error) {
			if cfg.URL == "" {
				if cfg.TemplatePath != "" || cfg.Format != "" || cfg.ContentType != "" {
					return nil, errors.New("--webhook-format, --webhook-template and --webhook-content-type need --webhook URL")
				}
				return nil, nil
			}
			cfg.InstallPath = installPath
			s, err := webhook.New(cfg)
			if err != nil {
				return nil, err
			}
			return []output.Sink{webhookSink{s}}, nil
		},
	})
}

type webhookSink struct{ s *webhook.Sender }

func (w webhookSink) Send(f sdk.Finding) error        { return w.s.Send(f) }
func (w webhookSink) Close(ctx context.Context) error { return w.s.Close(ctx) }

// Stats are the sender's counters (read by the metrics extension).
func (w webhookSink) Stats() webhook.Stats { return w.s.Stats() }
