package loss

import (
	"sync"
	"time"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// Metadata is TRC-LOST's.
var Metadata = sdk.Metadata{
	ID:             "TRC-LOST",
	Version:        "1.0.0",
	Name:           "Events Lost",
	Description:    "The event producer lost events or its stream was cut. Detection was blind for that time: an attacker can flood the tracer to hide an attack, or kill it.",
	Severity:       sdk.SeverityHigh,
	MitreCategory:  "Defense Evasion",
	MitreTechnique: "T1562 Impair Defenses",
	Tags:           []string{"linux", "container"},
}

// EventName is the name of the event a TRC-LOST finding is attached to.
const EventName = "events_lost"

// Config tunes a Reporter.
type Config struct {
	Interval time.Duration    // at most one finding per Interval (default 1s)
	Now      func() time.Time // default time.Now
}

// Reporter aggregates losses into findings. Its methods are safe for
// concurrent use; emit is called with the Reporter's lock held, from the
// caller's goroutine or from the interval timer.
type Reporter struct {
	cfg  Config
	emit func(sdk.Finding)

	mu        sync.Mutex
	lastEvent int64 // timestamp (unix ns) of the latest event seen
	since     int64 // start of the current blind range: the latest event before the first pending loss
	pending   batch
	lastEmit  time.Time
	timer     *time.Timer
	reported  uint64 // kernel events reported by Lost frames in this stream
	host      string
	producer  string
	closed    bool
}

// batch is what the next finding will report.
type batch struct {
	frames                    int
	kernel, userspace, failed uint64
	cuts                      int
	unreported                uint64 // lost per the end-of-stream totals, not per Lost frames
	reasons                   []string
	throttled                 map[int32]*culprit
}

// culprit is a process whose events went over its budget.
type culprit struct {
	comm    string
	budget  uint32
	dropped uint64
}

func (b *batch) empty() bool {
	return b.frames == 0 && b.cuts == 0 && b.unreported == 0 && len(b.throttled) == 0
}

// New returns a Reporter that passes findings to emit.
func New(cfg Config, emit func(sdk.Finding)) *Reporter {
	if cfg.Interval <= 0 {
		cfg.Interval = time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Reporter{cfg: cfg, emit: emit}
}

// Header notes a new stream (its producer and host name the findings).
func (r *Reporter) Header(h *pb.Header) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.host, r.producer, r.reported = h.GetHostname(), h.GetProducer(), 0
}

// Event notes an event's time: the blind range of a loss starts at the
// latest event before it.
func (r *Reporter) Event(ev *pb.Event) {
	ts := ev.GetTimestamp()
	r.mu.Lock()
	if ts > r.lastEvent {
		r.lastEvent = ts
	}
	r.mu.Unlock()
}

// Lost records a Lost frame. Frames that lost no event (only failed reads)
// are not findings.
func (r *Reporter) Lost(l *pb.Lost) {
	if l.GetKernelEvents()+l.GetDroppedUserspace() == 0 && len(l.GetThrottled()) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.begin()
	for _, th := range l.GetThrottled() {
		if r.pending.throttled == nil {
			r.pending.throttled = map[int32]*culprit{}
		}
		c := r.pending.throttled[th.GetHostPid()]
		if c == nil {
			c = &culprit{}
			r.pending.throttled[th.GetHostPid()] = c
		}
		c.comm, c.budget = th.GetComm(), th.GetBudget()
		c.dropped += th.GetDropped()
	}
	r.pending.frames++
	r.pending.kernel += l.GetKernelEvents()
	r.pending.userspace += l.GetDroppedUserspace()
	r.pending.failed += l.GetFailedReads()
	r.reported += l.GetKernelEvents()
	r.flushLocked(false)
}

// Cut records a stream that ended without its end-of-stream frame.
func (r *Reporter) Cut(reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.begin()
	r.pending.cuts++
	r.pending.reasons = append(r.pending.reasons, reason)
	r.flushLocked(false)
}

// End checks a stream's end-of-stream totals against the Lost frames seen:
// kernel losses no frame reported are reported now.
func (r *Reporter) End(e *pb.EndOfStream) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if k := e.GetKernelEventsLost(); k > r.reported {
		r.begin()
		r.pending.unreported += k - r.reported
		r.reported = k
		r.flushLocked(false)
	}
}

// Close emits what is pending and stops the timer.
func (r *Reporter) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.flushLocked(true)
	r.closed = true
	if r.timer != nil {
		r.timer.Stop()
	}
}

func (r *Reporter) begin() {
	if r.pending.empty() {
		r.since = r.lastEvent
	}
}

// flushLocked emits the pending batch when the interval since the last
// finding has passed (or force); otherwise it arms the timer for the end
// of the interval.
func (r *Reporter) flushLocked(force bool) {
	if r.pending.empty() || r.closed {
		return
	}
	now := r.cfg.Now()
	if wait := r.cfg.Interval - now.Sub(r.lastEmit); !force && !r.lastEmit.IsZero() && wait > 0 {
		if r.timer == nil {
			r.timer = time.AfterFunc(wait, func() {
				r.mu.Lock()
				defer r.mu.Unlock()
				r.timer = nil
				r.flushLocked(true)
			})
		}
		return
	}
	b := r.pending
	r.pending = batch{}
	r.lastEmit = now
	r.emit(r.finding(b, now))
}

func (r *Reporter) finding(b batch, now time.Time) sdk.Finding {
	to := now.UnixNano()
	if r.lastEvent > to {
		to = r.lastEvent
	}
	var throttled uint64
	var top *culprit
	var topPid int32
	var list []map[string]any
	for pid, c := range b.throttled {
		throttled += c.dropped
		if top == nil || c.dropped > top.dropped {
			top, topPid = c, pid
		}
		list = append(list, map[string]any{"pid": pid, "comm": c.comm, "dropped": c.dropped})
	}
	data := map[string]any{
		"lost events":           b.kernel + b.userspace + b.unreported + throttled,
		"lost in the kernel":    b.kernel + b.unreported,
		"dropped in user space": b.userspace,
		"lost frames":           b.frames,
		"incomplete reads":      b.failed,
		"to":                    time.Unix(0, to).UTC().Format(time.RFC3339Nano),
		"event kinds":           "unknown (the producer does not count losses per event)",
	}
	if r.since > 0 {
		data["from"] = time.Unix(0, r.since).UTC().Format(time.RFC3339Nano)
	}
	if b.cuts > 0 {
		data["stream cut"] = b.cuts
		data["cut"] = b.reasons
	}
	ev := &pb.Event{
		Timestamp:   to,
		EventName:   EventName,
		HostName:    r.host,
		ProcessName: r.producer,
		Syscall:     -1,
	}
	if top != nil {
		// A flood: the finding is about the process that flooded.
		ev.HostProcessId, ev.ProcessName = topPid, top.comm
		data["flooding pid"] = topPid
		data["flooding process"] = top.comm
		data["budget per second"] = top.budget
		data["over budget"] = throttled
		data["throttled processes"] = list
	}
	return sdk.Finding{SigMetadata: Metadata, Event: ev, Data: data}
}
