package metrics

import (
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/obs"
	"strconv"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

const namespace = "tracee_ebpf"

// Metrics holds tracee-ebpf's counters and the registry that exports them.
type Metrics struct {
	// Registry has the counters below, Go runtime and process metrics.
	Registry *prometheus.Registry

	eventName func(id int32) string

	recordsRead      atomic.Uint64
	eventsDecoded    atomic.Uint64
	decodeErrors     atomic.Uint64
	kernelLost       atomic.Uint64
	failedReads      atomic.Uint64
	truncated        atomic.Uint64
	userspaceDropped atomic.Uint64
	eventsFiltered   atomic.Uint64
	eventsWritten    atomic.Uint64
	perEvent         obs.EventCounts
}

// New returns Metrics registered in a new registry. eventName names event
// ids in the per-event counts (the event table's lookup); when nil, or when
// it returns "", the id is used.
func New(eventName func(id int32) string) *Metrics {
	m := &Metrics{Registry: prometheus.NewRegistry(), eventName: eventName}
	m.Registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		(*collector)(m),
	)
	return m
}

// RecordRead counts one raw record read from the kernel ring buffer.
func (m *Metrics) RecordRead() {
	if m != nil {
		m.recordsRead.Add(1)
	}
}

// EventDecoded counts one event decoded from a raw record (or derived in
// user space), in the total and under its event id.
func (m *Metrics) EventDecoded(id int32) {
	if m != nil {
		m.eventsDecoded.Add(1)
		m.perEvent.Inc(id)
	}
}

// DecodeError counts a raw record that could not be decoded.
func (m *Metrics) DecodeError() {
	if m != nil {
		m.decodeErrors.Add(1)
	}
}

// KernelLost adds n events the kernel could not put in the ring buffer.
func (m *Metrics) KernelLost(n uint64) {
	if m != nil {
		m.kernelLost.Add(n)
	}
}

// FailedReads adds n failed kernel-side memory reads (incomplete arguments).
func (m *Metrics) FailedReads(n uint64) {
	if m != nil {
		m.failedReads.Add(n)
	}
}

// Truncated adds n events that had something cut (argument, argv/env, path).
func (m *Metrics) Truncated(n uint64) {
	if m != nil {
		m.truncated.Add(n)
	}
}

// UserspaceDropped adds n events dropped in user space (slow consumer).
func (m *Metrics) UserspaceDropped(n uint64) {
	if m != nil {
		m.userspaceDropped.Add(n)
	}
}

// EventFiltered counts an event dropped by a user-space filter.
func (m *Metrics) EventFiltered() {
	if m != nil {
		m.eventsFiltered.Add(1)
	}
}

// EventWritten counts an event written to the output.
func (m *Metrics) EventWritten() {
	if m != nil {
		m.eventsWritten.Add(1)
	}
}

// Snapshot is a copy of the totals.
type Snapshot struct {
	RecordsRead, EventsDecoded, DecodeErrors  uint64
	KernelLost, FailedReads, UserspaceDropped uint64
	EventsFiltered, EventsWritten             uint64
	PerEvent                                  map[int32]uint64
}

// Snapshot returns the current totals (for Lost frames, logs and tests).
func (m *Metrics) Snapshot() Snapshot {
	if m == nil {
		return Snapshot{}
	}
	s := Snapshot{
		RecordsRead:      m.recordsRead.Load(),
		EventsDecoded:    m.eventsDecoded.Load(),
		DecodeErrors:     m.decodeErrors.Load(),
		KernelLost:       m.kernelLost.Load(),
		FailedReads:      m.failedReads.Load(),
		UserspaceDropped: m.userspaceDropped.Load(),
		EventsFiltered:   m.eventsFiltered.Load(),
		EventsWritten:    m.eventsWritten.Load(),
		PerEvent:         map[int32]uint64{},
	}
	for _, c := range m.perEvent.NonZero() {
		s.PerEvent[c.ID] = c.Count
	}
	return s
}

func (m *Metrics) name(id int32) string {
	if m.eventName != nil {
		if n := m.eventName(id); n != "" {
			return n
		}
	}
	return strconv.Itoa(int(id))
}

var (
	descRecordsRead = prometheus.NewDesc(namespace+"_records_read_total",
		"Raw records read from the kernel ring buffer.", nil, nil)
	descDecoded = prometheus.NewDesc(namespace+"_events_decoded_total",
		"Events decoded from raw records or derived in user space.", nil, nil)
	descDecodeErrors = prometheus.NewDesc(namespace+"_decode_errors_total",
		"Raw records that could not be decoded.", nil, nil)
	descLost = prometheus.NewDesc(namespace+"_events_lost_total",
		"Events lost, by where: kernel (ring buffer full) or userspace (slow consumer).", []string{"where"}, nil)
	descFailedReads = prometheus.NewDesc(namespace+"_failed_reads_total",
		"Kernel-side memory reads that failed, leaving an argument incomplete.", nil, nil)
	descTruncated = prometheus.NewDesc(namespace+"_events_truncated_total",
		"Events with something cut: an argument that did not fit, argv/env past the limit, a path that lost its head (flagged `truncated` on the event).", nil, nil)
	descFiltered = prometheus.NewDesc(namespace+"_events_filtered_total",
		"Events dropped by user-space filters.", nil, nil)
	descWritten = prometheus.NewDesc(namespace+"_events_written_total",
		"Events written to the output.", nil, nil)
	descPerEvent = prometheus.NewDesc(namespace+"_events_total",
		"Events decoded, by event name.", []string{"event"}, nil)
)

// collector exports Metrics' counters when scraped.
type collector Metrics

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descRecordsRead, descDecoded, descDecodeErrors, descLost, descFailedReads, descTruncated, descFiltered, descWritten, descPerEvent} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	m := (*Metrics)(c)
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	counter(descRecordsRead, m.recordsRead.Load())
	counter(descDecoded, m.eventsDecoded.Load())
	counter(descDecodeErrors, m.decodeErrors.Load())
	counter(descLost, m.kernelLost.Load(), "kernel")
	counter(descLost, m.userspaceDropped.Load(), "userspace")
	counter(descFailedReads, m.failedReads.Load())
	counter(descTruncated, m.truncated.Load())
	counter(descFiltered, m.eventsFiltered.Load())
	counter(descWritten, m.eventsWritten.Load())
	byName := map[string]uint64{} // merged, should two ids share a name
	for _, e := range m.perEvent.NonZero() {
		byName[m.name(e.ID)] += e.Count
	}
	for name, n := range byName {
		counter(descPerEvent, n, name)
	}
}
