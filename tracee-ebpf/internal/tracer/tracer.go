package tracer

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/decode"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/lifecycle"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/metrics"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/probes"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/ringreader"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

// Printer receives the events that were asked for.
type Printer interface {
	Print(ev *pb.Event) error
	Lost(l *pb.Lost) error
}

// Flusher is implemented by printers that buffer.
type Flusher interface{ Flush() error }

// Stage processes an event in place; it may not drop it.
type Stage interface{ Process(ev *pb.Event) }

// Deriver produces user-space derived events from an event.
type Deriver interface {
	Derive(ev *pb.Event) []*pb.Event
}

// Matcher applies user-space filters (arguments, return values) to an
// event and the bitmap of the policies the kernel found in scope for it
// (its record's; an event derived in user space gets its source's).
type Matcher interface {
	Match(ev *pb.Event, policies uint64) bool
}

// Config wires a Tracer.
type Config struct {
	Probes  *probes.Probes
	Decoder *decode.Decoder
	Wanted  map[events.ID]bool // events to print; others are internal
	// Observers see every decoded event (process-tree upkeep); Enrichers
	// run only on events about to be printed (ancestry, container id).
	Observers []Stage
	Enrichers []Stage
	// Capturers see every event, decoded or derived, printed or not,
	// before it is printed, and may add artifacts to it (--capture). The
	// artifacts of a derived event are also added to its source event.
	Capturers []Stage
	// Taps see every event, decoded or derived, printed or not, after it
	// was printed and before it is released. They must copy what they
	// keep: events are reused.
	Taps      []Stage
	Deriver   Deriver
	Matcher   Matcher
	Printer   Printer
	Poll      time.Duration // reader deadline: the most a quiet stream waits
	StatEvery time.Duration
	Log       io.Writer // diagnostics (stderr)
	// ReuseEvents returns decoded events to a pool after printing. Only
	// for printers that do not keep events after Print returns (all of
	// tracee-ebpf's encode synchronously).
	ReuseEvents bool
	Metrics     *metrics.Metrics // nil: no metrics
	// Budget is the per-process budget the probes enforce (0: none); when
	// set, processes that went over it are named in Lost frames.
	Budget uint32
}

// Summary is what a run did.
type Summary struct {
	Events         map[string]uint64 // printed, by name
	Received       uint64            // records read from the kernel
	DecodeErrors   uint64
	PrintErrors    uint64
	Kernel         probes.Stats
	FirstDecodeErr error
	// OutputClosed is set when the output's reader went away (EPIPE): the
	// run stopped in order, as on a signal.
	OutputClosed bool
}

// EndOfStream is the summary as the stream's last frame.
func (s *Summary) EndOfStream(reason string) *pb.EndOfStream {
	var total uint64
	for _, c := range s.Events {
		total += c
	}
	return &pb.EndOfStream{
		Events:           total,
		KernelEventsLost: s.Lost(),
		FailedReads:      s.Kernel.ReadFailed,
		Truncated:        s.Kernel.Truncated,
		DecodeErrors:     s.DecodeErrors,
		OutputErrors:     s.PrintErrors,
		Reason:           reason,
	}
}

// Lost is the total of events lost in the kernel.
func (s *Summary) Lost() uint64 { return s.Kernel.Dropped() }

// Write prints the summary for people.
func (s *Summary) Write(w io.Writer) {
	var total uint64
	names := make([]string, 0, len(s.Events))
	for n, c := range s.Events {
		names = append(names, n)
		total += c
	}
	sort.Strings(names)
	fmt.Fprintf(w, "\nEnd of events stream\nStats: {EventCount:%d Received:%d ErrorCount:%d LostEvCount:%d RecursionMisses:%d FailedReads:%d Truncated:%d FilteredInKernel:%d DataFilteredInKernel:%d DataFilteredLate:%d Throttled:%d Shed:%d}\n",
		total, s.Received, s.DecodeErrors+s.PrintErrors, s.Kernel.Lost, s.Kernel.RecursionMisses, s.Kernel.ReadFailed, s.Kernel.Truncated, s.Kernel.Filtered, s.Kernel.DataFiltered, s.Kernel.DataFilteredLate, s.Kernel.Throttled, s.Kernel.Shed)
	for _, n := range names {
		fmt.Fprintf(w, "  %-28s %d\n", n, s.Events[n])
	}
}

// Tracer is one run of the event loop.
type Tracer struct {
	cfg      Config
	rd       *ringreader.Reader
	sum      Summary
	lastStat probes.Stats
	// throttled: per process, the budget drops already reported
	throttled map[uint32]uint64
	// Per event id, on the hot path: whether it is printed, how many were
	// and under which name (folded into sum.Events by summary()). Slices,
	// not maps: millions of lookups a second.
	wanted []bool
	counts []uint64
	names  []string
}

// New opens the ring buffer reader.
func New(cfg Config) (*Tracer, error) {
	rd, err := ringreader.New(cfg.Probes.Events)
	if err != nil {
		return nil, fmt.Errorf("open ring buffer: %w", err)
	}
	if cfg.Poll == 0 {
		cfg.Poll = 100 * time.Millisecond
	}
	if cfg.StatEvery == 0 {
		cfg.StatEvery = time.Second
	}
	if cfg.Log == nil {
		cfg.Log = os.Stderr
	}
	t := &Tracer{cfg: cfg, rd: rd, sum: Summary{Events: map[string]uint64{}}}
	for id, ok := range cfg.Wanted {
		if !ok || id < 0 {
			continue
		}
		for int(id) >= len(t.wanted) {
			t.wanted = append(t.wanted, false)
		}
		t.wanted[id] = true
	}
	t.counts = make([]uint64, len(t.wanted))
	t.names = make([]string, len(t.wanted))
	return t, nil
}

// summary folds the per-id counts into sum.Events.
func (t *Tracer) summary() *Summary {
	for id, n := range t.counts {
		if n > 0 {
			t.sum.Events[t.names[id]] = n
		}
	}
	return &t.sum
}

// Run reads until ctx is done, then detaches the probes, drains what the
// kernel already wrote and returns the summary. The caller closes the
// printer.
func (t *Tracer) Run(ctx context.Context) (*Summary, error) {
	defer t.rd.Close()
	nextStat := time.Now().Add(t.cfg.StatEvery)
	var sinceCheck int
	for ctx.Err() == nil && !t.sum.OutputClosed {
		n, err := t.rd.Read(t.handle)
		if err != nil {
			return t.summary(), fmt.Errorf("read ring buffer: %w", err)
		}
		// A busy stream reads without clock calls; the time is looked at
		// every few thousand records and whenever the buffer runs dry.
		if sinceCheck += n; n > 0 && sinceCheck < 8192 {
			continue
		}
		sinceCheck = 0
		if now := time.Now(); now.After(nextStat) {
			t.reportLost(false)
			nextStat = now.Add(t.cfg.StatEvery)
		}
		if n > 0 {
			continue
		}
		t.flush()
		if err := t.rd.Wait(t.cfg.Poll); err != nil {
			return t.summary(), err
		}
	}
	// Stop producing, drain what is already in the buffer, count the losses;
	// the caller frees the maps.
	detachErr := t.cfg.Probes.Detach()
	for i := 0; i < 100 && t.rd.Pending() > 0; i++ {
		if _, err := t.rd.Read(t.handle); err != nil {
			break
		}
	}
	t.reportLost(true)
	t.flush()
	return t.summary(), detachErr
}

// Stats are the counters so far.
func (t *Tracer) Stats() *Summary { return t.summary() }

func (t *Tracer) flush() {
	if f, ok := t.cfg.Printer.(Flusher); ok {
		if err := f.Flush(); err != nil {
			t.printErr(err)
		}
	}
}

func (t *Tracer) reportLost(final bool) {
	throttled := t.throttledSince()
	st, err := t.cfg.Probes.Stats()
	if err != nil {
		if !final {
			fmt.Fprintf(t.cfg.Log, "tracee-ebpf: %v\n", err)
		}
		return
	}
	prev := t.lastStat
	t.lastStat = st
	t.sum.Kernel = st
	lost := st.Dropped() - prev.Dropped()
	failed := st.ReadFailed - prev.ReadFailed
	t.cfg.Metrics.KernelLost(lost)
	t.cfg.Metrics.FailedReads(failed)
	t.cfg.Metrics.Truncated(st.Truncated - prev.Truncated)
	if lost == 0 && failed == 0 && len(throttled) == 0 {
		return
	}
	l := &pb.Lost{
		KernelEvents:      lost,
		KernelEventsTotal: st.Dropped(),
		FailedReads:       failed,
		FailedReadsTotal:  st.ReadFailed,
		Throttled:         throttled,
	}
	if err := t.cfg.Printer.Lost(l); err != nil {
		t.printErr(err)
	}
}

func (t *Tracer) printErr(err error) {
	if lifecycle.IsOutputClosed(err) {
		// The reader of the output is gone: stop in order (detach, drain,
		// summary) instead of writing into a closed pipe.
		if !t.sum.OutputClosed {
			t.sum.OutputClosed = true
			fmt.Fprintf(t.cfg.Log, "tracee-ebpf: output closed by its reader (%v): stopping\n", err)
		}
		return
	}
	t.sum.PrintErrors++
	if t.sum.PrintErrors <= 5 {
		fmt.Fprintf(t.cfg.Log, "tracee-ebpf: output: %v\n", err)
	}
}

func (t *Tracer) handle(raw []byte) {
	t.sum.Received++
	t.cfg.Metrics.RecordRead()
	ev, err := t.cfg.Decoder.Decode(raw)
	if err != nil {
		t.sum.DecodeErrors++
		t.cfg.Metrics.DecodeError()
		if t.sum.FirstDecodeErr == nil {
			t.sum.FirstDecodeErr = err
		}
		if t.sum.DecodeErrors <= 5 {
			fmt.Fprintf(t.cfg.Log, "tracee-ebpf: decode: %v\n", err)
		}
		if ev == nil {
			return
		}
	}
	t.cfg.Metrics.EventDecoded(ev.EventId)
	for _, s := range t.cfg.Observers {
		s.Process(ev)
	}
	var derived []*pb.Event
	if t.cfg.Deriver != nil {
		derived = t.cfg.Deriver.Derive(ev)
	}
	if len(t.cfg.Capturers) > 0 {
		t.capture(ev, derived)
	}
	pols := decode.HeaderPolicies(raw)
	t.emit(ev, pols)
	t.tap(ev)
	for _, d := range derived {
		t.emit(d, pols)
		t.tap(d)
		if t.cfg.ReuseEvents {
			decode.Release(d)
		}
	}
	if t.cfg.ReuseEvents {
		decode.Release(ev)
	}
}

// capture runs the capturers on an event and what was derived from it,
// before any of them is printed: the source event also carries the
// artifacts of its derived events (a W+X mprotect, the dump of its region).
//
// Derived events go first: an artifact kept for an alert (the region of a
// W+X → X mprotect) is stored when the alert asks for it, and the source
// event then gets the same artifact.
func (t *Tracer) capture(ev *pb.Event, derived []*pb.Event) {
	for _, d := range derived {
		for _, s := range t.cfg.Capturers {
			s.Process(d)
		}
	}
	for _, s := range t.cfg.Capturers {
		s.Process(ev)
	}
	for _, d := range derived {
	next:
		for _, a := range d.Artifacts {
			for _, have := range ev.Artifacts {
				if have == a {
					continue next
				}
			}
			ev.Artifacts = append(ev.Artifacts, a)
		}
	}
}

func (t *Tracer) tap(ev *pb.Event) {
	for _, s := range t.cfg.Taps {
		s.Process(ev)
	}
}

func (t *Tracer) emit(ev *pb.Event, policies uint64) {
	id := ev.EventId
	if id < 0 || int(id) >= len(t.wanted) || !t.wanted[id] {
		return
	}
	for _, s := range t.cfg.Enrichers {
		s.Process(ev)
	}
	if t.cfg.Matcher != nil && !t.cfg.Matcher.Match(ev, policies) {
		t.cfg.Metrics.EventFiltered()
		return
	}
	if err := t.cfg.Printer.Print(ev); err != nil {
		t.printErr(err)
		return
	}
	if t.counts[id]++; t.names[id] == "" {
		t.names[id] = ev.EventName
	}
	t.cfg.Metrics.EventWritten()
}

// throttledSince lists the processes whose events went over their budget
// since the last report, with how many were dropped (sent in the Lost
// frame; tracee-rules makes it a TRC-LOST finding naming the process).
func (t *Tracer) throttledSince() []*pb.Throttled {
	if t.cfg.Budget == 0 {
		return nil
	}
	counts, err := t.cfg.Probes.Throttled()
	if err != nil {
		fmt.Fprintf(t.cfg.Log, "tracee-ebpf: %v\n", err)
	}
	if t.throttled == nil {
		t.throttled = map[uint32]uint64{}
	}
	var out []*pb.Throttled
	for pid, total := range counts {
		prev := t.throttled[pid]
		if total <= prev {
			continue
		}
		t.throttled[pid] = total
		comm, _ := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
		out = append(out, &pb.Throttled{HostPid: int32(pid), Comm: strings.TrimSpace(string(comm)),
			Dropped: total - prev, DroppedTotal: total, Budget: t.cfg.Budget})
	}
	return out
}
