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
//	prctl(CanaryOption, CanaryMagic, send time in unix ns, sequence, nonce)
//
// every few seconds. No real program passes this option (it is no prctl
// operation; the kernel answers EINVAL and changes nothing) together with
// this second argument. The nonce is random per tracee-ebpf run: tracee-ebpf
// counts only its own markers and does not pass on those of other tracee
// instances on the host (or forged ones), so tracee-rules sees only its
// producer's. tracee-ebpf and tracee-rules recognise the event with IsCanary
// and keep a Canary each: the marker coming back fresh means the probes are
// attached, the ring buffer has room and every stage up to there keeps up.
const (
	CanaryEvent  = "prctl"
	CanaryOption = 0x74726365     // "trce"
	CanaryMagic  = 0x63616e617279 // "canary"
)

// CanaryArgs returns the prctl arguments (option, arg2..arg5) of the
// marker with sequence number seq sent at t by the run with nonce.
func CanaryArgs(seq uint64, t time.Time, nonce uint64) [5]uint64 {
	return [5]uint64{CanaryOption, CanaryMagic, uint64(t.UnixNano()), seq, nonce}
}

// Marker is what a marker event says.
type Marker struct {
	Sent  time.Time
	Seq   uint64
	Nonce uint64
}

// IsCanary reports whether ev is the marker, and what it says.
func IsCanary(ev *pb.Event) (m Marker, ok bool) {
	if ev.GetEventName() != CanaryEvent {
		return Marker{}, false
	}
	opt, haveOpt := pb.Arg[uint64](ev, "option")
	magic, haveMagic := pb.Arg[uint64](ev, "arg2")
	ts, _ := pb.Arg[uint64](ev, "arg3")
	m.Seq, _ = pb.Arg[uint64](ev, "arg4")
	m.Nonce, _ = pb.Arg[uint64](ev, "arg5")
	if !haveOpt || !haveMagic || uint32(opt) != CanaryOption || magic != CanaryMagic {
		return Marker{}, false
	}
	m.Sent = time.Unix(0, int64(ts))
	return m, true
}

// Canary tracks the freshness of the markers a stage sees.
type Canary struct {
	timeout time.Duration
	grace   time.Duration
	start   time.Time
	nonce   uint64       // when not 0, markers of other runs are foreign
	sent    atomic.Int64 // send time of the newest marker seen, unix ns
	seen    atomic.Uint64
	foreign atomic.Uint64
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

// OnlyNonce makes c count only the markers of the run with nonce (the
// producer's own); it returns c.
func (c *Canary) OnlyNonce(nonce uint64) *Canary {
	c.nonce = nonce
	return c
}

// Nonce is the nonce of c's own markers (0: any).
func (c *Canary) Nonce() uint64 { return c.nonce }

// Foreign reports whether ev is a marker of another run (another tracee on
// the host, or forged), when c knows its own nonce.
func (c *Canary) Foreign(ev *pb.Event) bool {
	m, ok := IsCanary(ev)
	return ok && c.nonce != 0 && m.Nonce != c.nonce
}

// Observe records ev when it is one of c's markers and counts foreign ones.
func (c *Canary) Observe(ev *pb.Event) {
	m, ok := IsCanary(ev)
	if !ok {
		return
	}
	if c.nonce != 0 && m.Nonce != c.nonce {
		c.foreign.Add(1)
		return
	}
	c.Seen(m.Sent)
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
// prefix_last_canary_timestamp_seconds, prefix_canaries_total and
// prefix_foreign_canaries_total.
func (c *Canary) Collector(prefix string) prometheus.Collector {
	return &canaryCollector{
		c: c,
		alive: prometheus.NewDesc(prefix+"_alive",
			"1 while the detection canary comes through the pipeline within the timeout, else 0.", nil, nil),
		last: prometheus.NewDesc(prefix+"_last_canary_timestamp_seconds",
			"Send time of the newest detection canary seen, unix seconds (0 before the first).", nil, nil),
		total: prometheus.NewDesc(prefix+"_canaries_total",
			"Detection canaries seen.", nil, nil),
		foreign: prometheus.NewDesc(prefix+"_foreign_canaries_total",
			"Markers of other runs (another tracee on the host, or forged): neither counted nor passed on.", nil, nil),
	}
}

type canaryCollector struct {
	c                           *Canary
	alive, last, total, foreign *prometheus.Desc
}

func (cc *canaryCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- cc.alive
	ch <- cc.last
	ch <- cc.total
	ch <- cc.foreign
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
	ch <- prometheus.MustNewConstMetric(cc.foreign, prometheus.CounterValue, float64(cc.c.foreign.Load()))
}
