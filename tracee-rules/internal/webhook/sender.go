package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tracee-go/tracee/tracee-ebpf/pkg/installlock"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

// Defaults for Config's zero values.
const (
	DefaultInstallPath    = "/tmp/tracee"
	DefaultContentType    = "application/json"
	DefaultQueueSize      = 1024
	DefaultMaxAttempts    = 5
	DefaultInitialBackoff = 200 * time.Millisecond
	DefaultMaxBackoff     = 30 * time.Second
	DefaultRequestTimeout = 10 * time.Second
	DefaultSegmentSize    = 8 << 20
	DefaultMaxSpoolBytes  = 1 << 30
)

// Config configures a Sender. Only URL is required.
type Config struct {
	URL          string
	Format       Format // "" means "template" when TemplatePath is set, else "json"
	TemplatePath string // for FormatTemplate
	ContentType  string // Content-Type header; DefaultContentType when empty
	// InstallPath holds the spool (<InstallPath>/spool/webhook) and the
	// rejected payloads (<InstallPath>/spool/webhook-rejected).
	InstallPath string
	Hostname    string // reported in falcosidekick payloads; os.Hostname() when empty

	QueueSize      int           // in-memory payloads before spooling to disk
	MaxAttempts    int           // attempts per payload before spooling (a permanent 4xx is refused at once)
	InitialBackoff time.Duration // first retry delay; doubles up to MaxBackoff
	MaxBackoff     time.Duration
	RequestTimeout time.Duration // per HTTP request
	SegmentSize    int64         // spool segment size before rotation
	// MaxSpoolBytes bounds the disk spool: past it the oldest spooled
	// findings are deleted (counted as Evicted, logged, and an error at
	// Close). 0 means DefaultMaxSpoolBytes; negative means no bound.
	MaxSpoolBytes int64

	Client *http.Client // DefaultClient-like client when nil
	Logger *slog.Logger // slog.Default() when nil
	// MarshalJSON, when set, renders findings for FormatJSON instead of
	// MarshalFinding (to share the stdout JSON form).
	MarshalJSON func(sdk.Finding) ([]byte, error)

	now func() time.Time // for tests; time.Now when nil
}

// Stats counts what a Sender did with its payloads.
type Stats struct {
	Sent         uint64 // payloads the receiver accepted (2xx), replayed ones included
	Retried      uint64 // failed attempts that were retried
	Spooled      uint64 // payloads written to the disk spool
	Replayed     uint64 // payloads delivered from the disk spool
	Rejected     uint64 // payloads refused with a 4xx and set aside in the rejected file
	Dropped      uint64 // payloads lost: the spool could not be written or read back
	Evicted      uint64 // spooled payloads deleted, oldest first, to keep the spool under MaxSpoolBytes
	RenderErrors uint64 // findings that could not be rendered (Send returned an error)
	Queued       int    // payloads in the in-memory queue now
	Spooling     bool   // whether payloads go to (and are replayed from) the disk spool now
}

// ErrClosed is returned by Send after Close.
var ErrClosed = errors.New("webhook sender is closed")

// Sender delivers findings to a webhook. Its methods are safe for
// concurrent use.
type Sender struct {
	cfg      Config
	render   renderer
	client   *http.Client
	log      *slog.Logger
	sp       *spool
	lock     *installlock.Lock // held until Close: this process owns the spool
	rejected string            // path of the rejected payloads file

	mu          sync.Mutex
	cond        *sync.Cond // queue, mode or closing changed
	queue       []record   // queue[0] is the one being delivered
	busy        bool       // queue[0] is being delivered
	headSpooled bool       // the last move to the spool wrote queue[0] first
	skipFirst   bool       // the first spooled record was delivered already (delivery goroutine only)
	gen         uint64     // bumped whenever the queue is moved to the spool
	offline     bool       // the spool holds undelivered records: new ones go there too
	closing     bool
	closeErr    error
	stopCtx     context.Context    // done when Close starts: replay stops
	stop        context.CancelFunc //
	runCtx      context.Context    // done when Close's deadline passes: delivery stops
	abort       context.CancelFunc //
	done        chan struct{}      // closed when the delivery goroutine exits
	closed      chan struct{}      // closed when Close is over (closeErr set)
	wakeSpool   chan struct{}      // a record was appended while replaying

	sent, retried, spooled, replayed, rejectedN, dropped, evicted, renderErrs atomic.Uint64

	lostLog, evictLog, rejectLog *rateLimit
}

// New validates cfg, opens the spool (scheduling the replay of what an
// earlier run left there) and starts delivery.
func New(cfg Config) (*Sender, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, err
	}
	render, err := newRenderer(&cfg)
	if err != nil {
		return nil, err
	}
	// One tracee-rules per install path owns the spool: two replaying it
	// would deliver its findings twice.
	lock, err := installlock.Acquire(cfg.InstallPath, "tracee-rules")
	if err != nil {
		return nil, fmt.Errorf("webhook spool: %w", err)
	}
	sp, leftover, err := openSpool(filepath.Join(cfg.InstallPath, "spool", "webhook"), cfg.SegmentSize, max(cfg.MaxSpoolBytes, 0))
	if err != nil {
		lock.Release()
		return nil, fmt.Errorf("webhook spool: %w", err)
	}
	s := &Sender{
		lock:      lock,
		cfg:       cfg,
		render:    render,
		client:    cfg.Client,
		log:       cfg.Logger.With("component", "webhook"),
		sp:        sp,
		rejected:  filepath.Join(cfg.InstallPath, "spool", "webhook-rejected", "rejected.jsonl"),
		offline:   leftover,
		done:      make(chan struct{}),
		closed:    make(chan struct{}),
		wakeSpool: make(chan struct{}, 1),
		lostLog:   newRateLimit(5, 5*time.Second),
		evictLog:  newRateLimit(1, 5*time.Second),
		rejectLog: newRateLimit(5, 5*time.Second),
	}
	s.cond = sync.NewCond(&s.mu)
	s.stopCtx, s.stop = context.WithCancel(context.Background())
	s.runCtx, s.abort = context.WithCancel(context.Background())
	if leftover {
		s.log.Info("replaying findings spooled by an earlier run", "dir", sp.dir)
	}
	go s.run()
	return s, nil
}

func (c *Config) setDefaults() error {
	if c.URL == "" {
		return errors.New("webhook URL is empty")
	}
	u, err := url.Parse(c.URL)
	if err != nil {
		return fmt.Errorf("parse webhook URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("webhook URL %q: scheme must be http or https", c.URL)
	}
	if c.Format == "" {
		c.Format = FormatJSON
		if c.TemplatePath != "" {
			c.Format = FormatTemplate
		}
	}
	if c.TemplatePath != "" && c.Format != FormatTemplate {
		return fmt.Errorf("webhook template %s given with format %q (use format %q)", c.TemplatePath, c.Format, FormatTemplate)
	}
	if c.ContentType == "" {
		c.ContentType = DefaultContentType
	}
	if c.InstallPath == "" {
		c.InstallPath = DefaultInstallPath
	}
	if c.Hostname == "" {
		c.Hostname, _ = os.Hostname()
	}
	setDefault(&c.QueueSize, DefaultQueueSize)
	setDefault(&c.MaxAttempts, DefaultMaxAttempts)
	setDefault(&c.InitialBackoff, DefaultInitialBackoff)
	setDefault(&c.MaxBackoff, DefaultMaxBackoff)
	setDefault(&c.RequestTimeout, DefaultRequestTimeout)
	setDefault(&c.SegmentSize, DefaultSegmentSize)
	if c.MaxSpoolBytes == 0 {
		c.MaxSpoolBytes = DefaultMaxSpoolBytes
	}
	if c.MaxBackoff < c.InitialBackoff {
		c.MaxBackoff = c.InitialBackoff
	}
	if c.Client == nil {
		c.Client = &http.Client{}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.now == nil {
		c.now = time.Now
	}
	return nil
}

func setDefault[T int | int64 | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// Send renders a finding and queues it for delivery. It does not wait for
// the receiver: when the queue is full the queue is moved to the disk spool.
// It returns an error when the finding cannot be rendered, when the spool
// cannot be written (the payload is lost), or after Close.
func (s *Sender) Send(f sdk.Finding) error {
	body, err := s.render(f)
	if err != nil {
		s.renderErrs.Add(1)
		return fmt.Errorf("render finding for webhook: %w", err)
	}
	return s.enqueue(record{ct: s.cfg.ContentType, body: body})
}

func (s *Sender) enqueue(r record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return ErrClosed
	}
	if !s.offline && len(s.queue) >= s.cfg.QueueSize {
		s.log.Warn("webhook queue full, spooling findings to disk", "queued", len(s.queue), "dir", s.sp.dir)
		s.toSpoolLocked()
	}
	if s.offline {
		err := s.spoolLocked(r)
		select {
		case s.wakeSpool <- struct{}{}:
		default:
		}
		return err
	}
	s.queue = append(s.queue, r)
	s.cond.Broadcast()
	return nil
}

// toSpoolLocked moves the whole queue, in order, to the spool and switches
// to spool mode. A delivery in flight (of queue[0]) goes on; deliverHead
// sorts out its spooled copy.
func (s *Sender) toSpoolLocked() {
	for i, r := range s.queue {
		err := s.spoolLocked(r)
		if i == 0 {
			s.headSpooled = s.busy && err == nil
		}
	}
	s.queue = s.queue[:0]
	s.gen++
	if !s.offline {
		s.offline = true
		s.cond.Broadcast()
	}
}

func (s *Sender) spoolLocked(r record) error {
	evicted, err := s.sp.append(r)
	if evicted > 0 {
		total := s.evicted.Add(evicted)
		if ok, _ := s.evictLog.allow(s.cfg.now()); ok {
			s.log.Error("FINDINGS LOST: webhook spool at its maximum size, oldest findings deleted",
				"max_bytes", s.cfg.MaxSpoolBytes, "deleted", evicted, "deleted_total", total, "dir", s.sp.dir)
		}
	}
	if err != nil {
		total := s.dropped.Add(1)
		if ok, held := s.lostLog.allow(s.cfg.now()); ok {
			s.log.Error("FINDING LOST: cannot write webhook spool", "dir", s.sp.dir, "error", err,
				"lost_total", total, "similar_messages_suppressed", held)
		}
		return fmt.Errorf("spool finding: %w", err)
	}
	s.spooled.Add(1)
	return nil
}

// Close stops accepting findings and delivers the queue until ctx is done;
// what is left then is spooled. A spool not yet replayed stays on disk for
// the next run. Close returns an error when the spool could not be written.
func (s *Sender) Close(ctx context.Context) error {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		<-s.closed
		return s.closeErr
	}
	s.closing = true
	s.stop()
	s.cond.Broadcast()
	s.mu.Unlock()

	select {
	case <-s.done:
	case <-ctx.Done():
		s.abort()
		<-s.done
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if n := len(s.queue); n > 0 {
		s.log.Warn("shutting down: findings not delivered in time are spooled to disk for the next run with this --install-path",
			"findings", n, "dir", s.sp.dir)
		s.toSpoolLocked()
	} else if s.offline {
		// The replay may have delivered the last record just before
		// stopping: leave no replayed spool behind.
		_, _, ok, err := s.sp.next()
		if errors.Is(err, errCorrupt) {
			s.dropped.Add(1)
			s.log.Error("FINDING LOST: skipping unreadable webhook spool record", "error", err)
		}
		if !ok && err == nil {
			if drained, _ := s.sp.drainIfCaughtUp(); drained {
				s.offline = false
			}
		}
	}
	var errs []error
	if err := s.sp.close(); err != nil {
		errs = append(errs, err)
	}
	dropped, evicted := s.dropped.Load(), s.evicted.Load()
	if dropped+evicted > 0 {
		s.log.Error("webhook loss summary: findings lost", "spool_write_or_read_failed", dropped,
			"deleted_by_spool_size_limit", evicted, "max_spool_bytes", s.cfg.MaxSpoolBytes,
			"rejected_and_saved", s.rejectedN.Load(), "rejected_file", s.rejected)
		errs = append(errs, fmt.Errorf("webhook: %d findings lost (%d could not be spooled or read back, %d deleted by the spool size limit)", dropped+evicted, dropped, evicted))
	}
	s.lock.Release()
	s.closeErr = errors.Join(errs...)
	close(s.closed)
	return s.closeErr
}

// Stats returns the Sender's counters.
func (s *Sender) Stats() Stats {
	s.mu.Lock()
	queued, spooling := len(s.queue), s.offline
	s.mu.Unlock()
	return Stats{
		Sent:         s.sent.Load(),
		Retried:      s.retried.Load(),
		Spooled:      s.spooled.Load(),
		Replayed:     s.replayed.Load(),
		Rejected:     s.rejectedN.Load(),
		Dropped:      s.dropped.Load(),
		Evicted:      s.evicted.Load(),
		RenderErrors: s.renderErrs.Load(),
		Queued:       queued,
		Spooling:     spooling,
	}
}

// run is the delivery goroutine.
func (s *Sender) run() {
	defer close(s.done)
	for {
		s.mu.Lock()
		for !s.offline && len(s.queue) == 0 && !s.closing {
			s.cond.Wait()
		}
		switch {
		case s.offline:
			closing := s.closing
			s.mu.Unlock()
			// While closing, replay goes on as long as the receiver takes
			// records; the rest stays in the spool for the next run.
			if !s.replayStep() && closing {
				return
			}
		case len(s.queue) == 0: // closing with nothing queued
			s.mu.Unlock()
			return
		default:
			s.deliverHead()
			if s.runCtx.Err() != nil { // Close's deadline: Close spools the rest
				return
			}
		}
	}
}

// deliverHead delivers the head of the queue. Called with s.mu held; returns
// with it released.
func (s *Sender) deliverHead() {
	r, gen := s.queue[0], s.gen
	s.busy = true
	s.mu.Unlock()

	res, ref := s.deliver(s.runCtx, r, s.cfg.MaxAttempts, nil)

	s.mu.Lock()
	defer s.mu.Unlock()
	s.busy = false
	if s.gen != gen {
		// A full queue went to the spool meanwhile, r first. When r got
		// through after all, skip its spooled copy.
		if s.headSpooled && (res == delivered || res == refused) {
			if res == refused {
				s.reject(r, ref)
			}
			s.skipFirst = true
		}
		return
	}
	switch res {
	case delivered:
		s.queue = s.queue[1:]
	case refused:
		s.queue = s.queue[1:]
		s.reject(r, ref)
	case canceled:
		// Close's deadline passed: Close spools the queue and says so.
	default:
		s.log.Warn("webhook receiver unavailable, spooling findings to disk", "url", s.cfg.URL, "dir", s.sp.dir,
			"last_status", ref.status, "last_error", ref.err)
		s.toSpoolLocked()
	}
}

// replayStep delivers the oldest spooled record, or leaves spool mode when
// the spool is drained. It reports whether it made progress.
func (s *Sender) replayStep() bool {
	r, size, ok, err := s.sp.next()
	if err != nil {
		if errors.Is(err, errCorrupt) {
			s.dropped.Add(1)
			s.log.Error("FINDING LOST: skipping unreadable webhook spool record", "error", err)
			return true
		}
		s.log.Error("cannot read webhook spool, retrying", "error", err)
		s.sleep(s.stopCtx.Done(), s.cfg.MaxBackoff)
		return false
	}
	if !ok {
		s.mu.Lock()
		drained, err := s.sp.drainIfCaughtUp()
		if drained {
			s.offline = false
			s.log.Info("webhook spool replayed, delivering directly again")
		}
		s.mu.Unlock()
		if err != nil {
			s.log.Error("cannot clean webhook spool", "error", err)
		}
		if drained {
			return true
		}
		select { // a record is being appended: wait for it
		case <-s.wakeSpool:
		case <-s.stopCtx.Done():
		case <-time.After(s.cfg.InitialBackoff):
		}
		return false
	}
	if s.skipFirst { // delivered while it was being spooled
		s.skipFirst = false
		s.sp.ack(size)
		return true
	}
	res, ref := s.deliver(s.runCtx, r, 0, s.stopCtx.Done())
	switch res {
	case delivered:
		s.replayed.Add(1)
		s.sp.ack(size)
	case refused:
		s.reject(r, ref)
		s.sp.ack(size)
	default: // stopping: the record stays in the spool
		return false
	}
	return true
}

type outcome int

const (
	delivered outcome = iota
	refused           // a 4xx other than 408 and 429: the receiver will never take it
	failed            // transport errors, timeouts or 5xx after the retry budget
	canceled
)

// answer is the receiver's last answer to a failed attempt.
type answer struct {
	status int    // HTTP status, 0 when there was none
	body   []byte // start of the response body
	err    error  // transport error or timeout
}

// deliver posts r until it is accepted, refused for good (at the first
// permanent answer: retrying a 400 changes nothing and blocks the queue),
// the budget of transient failures is spent (maxTransient > 0), ctx is
// done, or, after a failed attempt, stop is closed. Transient failures
// (transport errors, timeouts, 408, 429, 5xx) are retried with exponential
// backoff.
func (s *Sender) deliver(ctx context.Context, r record, maxTransient int, stop <-chan struct{}) (outcome, answer) {
	backoff := s.cfg.InitialBackoff
	for attempt := 1; ; attempt++ {
		a := s.post(ctx, r)
		if a.err == nil && a.status/100 == 2 {
			s.sent.Add(1)
			return delivered, a
		}
		if ctx.Err() != nil {
			return canceled, a
		}
		if a.err == nil && permanentStatus(a.status) {
			return refused, a
		}
		s.log.Debug("webhook delivery failed", "attempt", attempt, "status", a.status, "error", a.err)
		if maxTransient > 0 && attempt >= maxTransient {
			return failed, a
		}
		select {
		case <-stop:
			return canceled, a
		default:
		}
		s.retried.Add(1)
		if !s.sleep(stop, backoff) {
			return canceled, a
		}
		backoff = min(2*backoff, s.cfg.MaxBackoff)
	}
}

// sleep waits d, or until stop is closed or the delivery is aborted, and
// reports whether d passed.
func (s *Sender) sleep(stop <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-stop:
		return false
	case <-s.runCtx.Done():
		return false
	}
}

// permanentStatus reports whether a non-2xx status will not change by
// retrying: client errors except timeouts and rate limiting.
func permanentStatus(code int) bool {
	return code/100 == 4 && code != http.StatusRequestTimeout && code != http.StatusTooManyRequests
}

// maxResponse bounds how much of a response body is kept (refusals).
const maxResponse = 4 << 10

func (s *Sender) post(ctx context.Context, r record) answer {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.RequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.URL, bytes.NewReader(r.body))
	if err != nil {
		return answer{err: fmt.Errorf("build webhook request: %w", err)}
	}
	req.Header.Set("Content-Type", r.ct)
	resp, err := s.client.Do(req)
	if err != nil {
		return answer{err: err}
	}
	a := answer{status: resp.StatusCode}
	if resp.StatusCode/100 != 2 {
		a.body, _ = io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	return a
}

// reject sets aside a payload the receiver refuses, with its answer, so
// that it is kept but does not block the ones behind it.
func (s *Sender) reject(r record, a answer) {
	total := s.rejectedN.Add(1)
	line, err := encodeRejected(r, a)
	if err == nil {
		err = appendFile(s.rejected, line)
	}
	if err != nil {
		s.dropped.Add(1)
		s.log.Error("FINDING LOST: webhook receiver refused it and it cannot be saved", "file", s.rejected, "status", a.status, "error", err)
		return
	}
	if ok, held := s.rejectLog.allow(s.cfg.now()); ok {
		s.log.Error("webhook receiver refused a finding for good (not retried); saved it", "status", a.status,
			"response", truncate(a.body, 256), "file", s.rejected, "rejected_total", total,
			"similar_messages_suppressed", held, "body", truncate(r.body, 256))
	}
}

func truncate(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "..."
}
