package cmd

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"time"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/metrics"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/tracer"
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
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		fmt.Fprintf(stderr, "tracee-ebpf: detection canary off: %v\n", err)
		return nil
	}
	nonce := binary.LittleEndian.Uint64(b[:]) | 1                             // never 0
	return obs.NewCanary(o.timeout, 3*o.timeout, time.Now()).OnlyNonce(nonce) // loading the probes takes a while
}

// withOwnCanaries returns a matcher passing what inner passes except the
// markers of other runs (other tracee instances' helpers, forgeries): they
// would keep tracee-rules' check alive for the wrong pipeline. The canary
// tap counts them (tracee_ebpf_canary_foreign_canaries_total).
func withOwnCanaries(inner tracer.Matcher, c *obs.Canary) tracer.Matcher {
	if c == nil {
		return inner
	}
	return ownCanaries{inner, c}
}

type ownCanaries struct {
	inner tracer.Matcher
	c     *obs.Canary
}

func (m ownCanaries) Match(ev *pb.Event, policies uint64) bool {
	return !m.c.Foreign(ev) && m.inner.Match(ev, policies)
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
