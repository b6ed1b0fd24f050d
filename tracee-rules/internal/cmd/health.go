package cmd

import (
	"time"

	"github.com/spf13/pflag"

	"github.com/tracee-go/tracee/tracee-ebpf/pkg/obs"
	"github.com/tracee-go/tracee/tracee-rules/internal/health"
	"github.com/tracee-go/tracee/tracee-rules/internal/metrics"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// detection is the end-to-end canary when the self-test is on (metrics.go
// serves it on /healthz and as tracee_detection_*).
var detection *obs.Canary

// --canary-timeout: the detection self-test's built-in canary signature.
// Its event is part of --list-events, so tracee-ebpf traces it and sends
// the marker.
func init() {
	var timeout time.Duration
	RegisterExtension(Extension{
		Name: "health",
		AddFlags: func(fs *pflag.FlagSet) {
			fs.DurationVar(&timeout, "canary-timeout", 10*time.Second,
				"/healthz and tracee_detection_alive fail when tracee-ebpf's detection canary was not seen for this long (0: no canary)")
		},
		Internal: func() []sdk.Signature {
			if timeout <= 0 {
				return nil
			}
			// Before the first marker: tracee-ebpf may still be loading.
			detection = obs.NewCanary(timeout, 3*timeout, time.Now())
			return []sdk.Signature{health.NewCanarySignature(detection)}
		},
	})
}

// healthChecks are what /healthz reports.
func healthChecks(m *metrics.Metrics) *obs.Health {
	h := obs.NewHealth()
	if detection != nil {
		h.Add("detection canary", detection.Check)
		m.Registry.MustRegister(detection.Collector("tracee_detection"))
	}
	return h
}
