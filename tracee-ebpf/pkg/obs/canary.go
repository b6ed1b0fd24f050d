package obs

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

// The detection self-test. tracee-ebpf has a helper process call
//
//	prctl(CanaryOption, CanaryMagic, send time in unix ns, sequence, 0)
//
// every few seconds. No real program passes this option (it is no prctl
// operation; the kernel answers EINVAL and changes nothing) together with
// this second argument. tracee-ebpf and tracee-rules recognise the event
// with IsCanary and keep a Canary each: the marker coming back fresh means
// the probes are attached, the ring buffer has room and every stage up to
// there keeps up.
const (
	CanaryEvent  = "prctl"
	CanaryOption = 0x74726365     // "trce"
	CanaryMagic  = 0x63616e617279 // "canary"
)

// CanaryArgs returns the prctl arguments (option, arg2..arg5) of the
// marker with sequence number seq sent at t.
func CanaryArgs(seq uint64, t time.Time) [5]uint64 {
	return [5]uint64{CanaryOption, CanaryMagic, uint64(t.UnixNano()), seq, 0}
}

// IsCanary reports whether ev is the marker, and when it was sent.
func IsCanary(ev *pb.Event) (sent time.Time, ok bool) {
	if ev.GetEventName() != CanaryEvent {
		return time.Time{}, false
	}
	var opt, magic, ts uint64
	var haveOpt, haveMagic bool
	for _, a := range ev.GetArgs() {
		v, isInt := argUint(a)
		if !isInt {
			continue
		}
		switch a.GetName() {
		case "option":
			opt, haveOpt = v, true
		case "arg2":
			magic, haveMagic = v, true
		case "arg3":
			ts = v
		}
	}
	if !haveOpt || !haveMagic || uint32(opt) != CanaryOption || magic != CanaryMagic {
		return time.Time{}, false
	}
	return time.Unix(0, int64(ts)), true
}

func argUint(a *pb.Argument) (uint64, bool) {
	switch v := a.GetValue().(type) {
	case *pb.Argument_Int:
		return uint64(v.Int), true
	case *pb.Argument_Uint:
		return v.Uint, true
	}
	return 0, false
}

// Canary tracks the freshness of the markers a stage sees.
type Canary struct {
	timeout time.Duration
	grace   time.Duration
	start   time.Time
	sent    atomic.Int64 // send time of the newest marker seen, unix ns
	seen    atomic.Uint64
}

// NewCanary returns a Canary that is alive while the newest marker was
// sent less than timeout ago. Before the first marker it is alive for
// grace after start (loading the probes takes a while).
func NewCanary(timeout, grace time.Duration, start time.Time) *Canary {
	return &Canary{timeout: timeout, grace: grace, start: start}
}

// Seen records a marker sent at sent.
func (c *Canary) Seen(sent time.Time) {
	c.seen.Add(1)
	ns := sent.UnixNano()
	for {
		old := c.sent.Load()
		if ns <= old || c.sent.CompareAndSwap(old, ns) {
			return
		}
	}
}

// Observe records ev when it is the marker.
func (c *Canary) Observe(ev *pb.Event) {
	if sent, ok := IsCanary(ev); ok {
		c.Seen(sent)
	}
}

// Last is the send time of the newest marker seen (zero before the first).
func (c *Canary) Last() time.Time {
	if ns := c.sent.Load(); ns != 0 {
		return time.Unix(0, ns)
	}
	return time.Time{}
}

// Check is the health check: nil while markers come back in time.
func (c *Canary) Check(now time.Time) error {
	last := c.Last()
	if last.IsZero() {
		if waited := now.Sub(c.start); waited > c.grace {
			return fmt.Errorf("no detection canary came through in %s since start", waited.Round(time.Millisecond))
		}
		return nil
	}
	if age := now.Sub(last); age > c.timeout {
		return fmt.Errorf("last detection canary was sent %s ago (at %s), more than %s: events are not coming through",
			age.Round(time.Millisecond), last.UTC().Format(time.RFC3339Nano), c.timeout)
	}
	return nil
}

// Collector exports the canary as prefix_alive (1 or 0),
// prefix_last_canary_timestamp_seconds and prefix_canaries_total.
func (c *Canary) Collector(prefix string) prometheus.Collector {
	return &canaryCollector{
		c: c,
		alive: prometheus.NewDesc(prefix+"_alive",
			"1 while the detection canary comes through the pipeline within the timeout, else 0.", nil, nil),
		last: prometheus.NewDesc(prefix+"_last_canary_timestamp_seconds",
			"Send time of the newest detection canary seen, unix seconds (0 before the first).", nil, nil),
		total: prometheus.NewDesc(prefix+"_canaries_total",
			"Detection canaries seen.", nil, nil),
	}
}

type canaryCollector struct {
	c                  *Canary
	alive, last, total *prometheus.Desc
}

func (cc *canaryCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- cc.alive
	ch <- cc.last
	ch <- cc.total
}

func (cc *canaryCollector) Collect(ch chan<- prometheus.Metric) {
	alive := 1.0
	if cc.c.Check(time.Now()) != nil {
		alive = 0
	}
	last := 0.0
	if t := cc.c.Last(); !t.IsZero() {
		last = float64(t.UnixNano()) / 1e9
	}
	ch <- prometheus.MustNewConstMetric(cc.alive, prometheus.GaugeValue, alive)
	ch <- prometheus.MustNewConstMetric(cc.last, prometheus.GaugeValue, last)
	ch <- prometheus.MustNewConstMetric(cc.total, prometheus.CounterValue, float64(cc.c.seen.Load()))
}
