package cmd

import (
	"fmt"
	"io"
	"time"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/metrics"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/obs"
)

// canaryWatch returns the watcher of the detection canary, or nil when the
// self-test is off or its event is not traced (said on stderr when /healthz
// is served, as it then reports no canary).
func canaryWatch(o canaryOptions, wanted map[events.ID]bool, serving bool, stderr io.Writer) *obs.Canary {
	if o.interval <= 0 {
		return nil
	}
	if d, ok := events.ByName(obs.CanaryEvent); !ok || !wanted[d.ID] {
		if serving {
			fmt.Fprintf(stderr, "tracee-ebpf: detection canary off: %s is not traced\n", obs.CanaryEvent)
		}
		return nil
	}
	return obs.NewCanary(o.timeout, 3*o.timeout, time.Now()) // loading the probes takes a while
}

// healthChecks are what /healthz reports: the canary came back through the
// ring buffer, the decoder and the output (probes attached, reader alive,
// consumer not stuck).
func healthChecks(watch *obs.Canary, mx *metrics.Metrics) *obs.Health {
	h := obs.NewHealth()
	if watch != nil {
		h.Add("detection canary", watch.Check)
		mx.Registry.MustRegister(watch.Collector("tracee_ebpf_canary"))
	}
	return h
}

// canaryTap watches the events that went through the output.
type canaryTap struct{ c *obs.Canary }

func (t canaryTap) Process(ev *pb.Event) { t.c.Observe(ev) }
