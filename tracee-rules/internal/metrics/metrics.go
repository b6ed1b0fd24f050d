package metrics

import (
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/obs"
	"strconv"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/internal/webhook"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

const namespace = "tracee_rules"

// Metrics holds tracee-rules' counters and the registry that exports them.
type Metrics struct {
	// Registry has the counters below, Go runtime and process metrics.
	Registry *prometheus.Registry

	framesRead    atomic.Uint64
	eventsDecoded atomic.Uint64
	decodeErrors  atomic.Uint64
	lostKernel    atomic.Uint64
	failedReads   atomic.Uint64
	lostUserspace atomic.Uint64
	perEvent      obs.EventCounts
	names         [obs.DenseIDs]atomic.Pointer[string]

	findings *prometheus.CounterVec
}

// New returns Metrics registered in a new registry.
func New() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		findings: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace,
			Name:      "findings_total",
			Help:      "Findings reported, by signature.",
		}, []string{"signature_id", "signature_name", "severity"}),
	}
	m.Registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		(*collector)(m),
		m.findings,
	)
	return m
}

// FrameRead counts one frame read from the input stream.
func (m *Metrics) FrameRead() {
	if m != nil {
		m.framesRead.Add(1)
	}
}

// EventDecoded counts one decoded event, in the total and under its name.
func (m *Metrics) EventDecoded(ev *pb.Event) {
	if m == nil {
		return
	}
	m.eventsDecoded.Add(1)
	id := ev.GetEventId()
	m.perEvent.Inc(id)
	if id >= 0 && id < obs.DenseIDs && m.names[id].Load() == nil {
		name := ev.GetEventName()
		m.names[id].CompareAndSwap(nil, &name)
	}
}

// DecodeError counts input that could not be decoded.
func (m *Metrics) DecodeError() {
	if m != nil {
		m.decodeErrors.Add(1)
	}
}

// Lost adds the losses a Lost frame reports (the per-frame counts, not
// the totals).
func (m *Metrics) Lost(l *pb.Lost) {
	if m == nil {
		return
	}
	m.lostKernel.Add(l.GetKernelEvents())
	m.failedReads.Add(l.GetFailedReads())
	m.lostUserspace.Add(l.GetDroppedUserspace())
}

// Finding counts one finding of the signature md.
func (m *Metrics) Finding(md sdk.Metadata) {
	if m != nil {
		m.findings.WithLabelValues(md.ID, md.Name, strconv.Itoa(md.Severity)).Inc()
	}
}

// WebhookSource is what RegisterWebhook reads (a *webhook.Sender).
type WebhookSource interface {
	Stats() webhook.Stats
}

// RegisterWebhook exports a webhook sender's outcome counters, queue length
// and spool state, read when scraped.
func (m *Metrics) RegisterWebhook(src WebhookSource) error {
	return m.Registry.Register(webhookCollector{src})
}

func (m *Metrics) name(id int32) string {
	if id >= 0 && id < obs.DenseIDs {
		if n := m.names[id].Load(); n != nil && *n != "" {
			return *n
		}
	}
	return strconv.Itoa(int(id))
}

var (
	descFrames = prometheus.NewDesc(namespace+"_frames_read_total",
		"Frames read from the input stream.", nil, nil)
	descDecoded = prometheus.NewDesc(namespace+"_events_decoded_total",
		"Events decoded from the input.", nil, nil)
	descDecodeErrors = prometheus.NewDesc(namespace+"_decode_errors_total",
		"Input that could not be decoded.", nil, nil)
	descLost = prometheus.NewDesc(namespace+"_events_lost_total",
		"Events the producer reported lost, by where: kernel (ring buffer full) or userspace (slow consumer).", []string{"where"}, nil)
	descFailedReads = prometheus.NewDesc(namespace+"_failed_reads_total",
		"Kernel-side memory reads the producer reported failed (incomplete arguments).", nil, nil)
	descPerEvent = prometheus.NewDesc(namespace+"_events_total",
		"Events decoded, by event name.", []string{"event"}, nil)

	descWebhook = prometheus.NewDesc(namespace+"_webhook_payloads_total",
		"Webhook payloads by outcome: sent (accepted by the receiver, replays included), retried (failed attempts retried), "+
			"spooled (written to the disk spool), replayed (delivered from the spool), rejected (refused with a 4xx, set aside), "+
			"dropped (lost: spool not writable or unreadable), evicted (deleted, oldest first, by the spool size limit), render_error (finding could not be rendered).", []string{"outcome"}, nil)
	descWebhookQueue = prometheus.NewDesc(namespace+"_webhook_queue_length",
		"Webhook payloads in the in-memory queue.", nil, nil)
	descWebhookSpooling = prometheus.NewDesc(namespace+"_webhook_spooling",
		"1 while webhook payloads go through the disk spool (receiver unavailable or backlog), else 0.", nil, nil)
)

type collector Metrics

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descFrames, descDecoded, descDecodeErrors, descLost, descFailedReads, descPerEvent} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	m := (*Metrics)(c)
	counter(ch, descFrames, m.framesRead.Load())
	counter(ch, descDecoded, m.eventsDecoded.Load())
	counter(ch, descDecodeErrors, m.decodeErrors.Load())
	counter(ch, descLost, m.lostKernel.Load(), "kernel")
	counter(ch, descLost, m.lostUserspace.Load(), "userspace")
	counter(ch, descFailedReads, m.failedReads.Load())
	byName := map[string]uint64{}
	for _, e := range m.perEvent.NonZero() {
		byName[m.name(e.ID)] += e.Count
	}
	for name, n := range byName {
		counter(ch, descPerEvent, n, name)
	}
}

func counter(ch chan<- prometheus.Metric, d *prometheus.Desc, v uint64, labels ...string) {
	ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
}

type webhookCollector struct{ src WebhookSource }

func (w webhookCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descWebhook
	ch <- descWebhookQueue
	ch <- descWebhookSpooling
}

func (w webhookCollector) Collect(ch chan<- prometheus.Metric) {
	st := w.src.Stats()
	for _, o := range []struct {
		outcome string
		n       uint64
	}{
		{"sent", st.Sent}, {"retried", st.Retried}, {"spooled", st.Spooled}, {"replayed", st.Replayed},
		{"rejected", st.Rejected}, {"dropped", st.Dropped}, {"evicted", st.Evicted}, {"render_error", st.RenderErrors},
	} {
		counter(ch, descWebhook, o.n, o.outcome)
	}
	spooling := 0.0
	if st.Spooling {
		spooling = 1
	}
	ch <- prometheus.MustNewConstMetric(descWebhookQueue, prometheus.GaugeValue, float64(st.Queued))
	ch <- prometheus.MustNewConstMetric(descWebhookSpooling, prometheus.GaugeValue, spooling)
}
