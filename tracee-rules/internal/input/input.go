package input

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

// Handler receives each event. It is called from one goroutine at a time.
type Handler func(*pb.Event)

// Input reads events as configured.
type Input struct {
	cfg   Config
	stats Stats

	mu           sync.Mutex
	unknownNames map[string]bool // names already reported
}

// Reconnect backoff bounds for unix-socket input.
var (
	minBackoff = 100 * time.Millisecond
	maxBackoff = 5 * time.Second
)

const maxReportedUnknown = 64

// New returns an Input for cfg.
func New(cfg Config) *Input {
	if cfg.Logf == nil {
		cfg.Logf = func(format string, args ...any) {
			fmt.Fprintf(os.Stderr, "tracee-rules: input: "+format+"\n", args...)
		}
	}
	if cfg.Stdin == nil {
		cfg.Stdin = os.Stdin
	}
	return &Input{cfg: cfg, unknownNames: map[string]bool{}}
}

// Stats returns the input's counters (safe from any goroutine).
func (in *Input) Stats() *Stats { return &in.stats }

// Run reads events and passes them to h until the input ends (file) or ctx is
// done. It returns nil at a clean end or on cancellation, and an error for
// input that could not be read to its end (unopenable file, bad header,
// truncated or oversized frame). Once Run returns, h is not called again, even
// if a read of stdin is still blocked.
func (in *Input) Run(ctx context.Context, h Handler) error {
	var mu sync.Mutex
	stopped := false
	guarded := func(ev *pb.Event) {
		mu.Lock()
		defer mu.Unlock()
		if !stopped {
			h(ev)
		}
	}
	done := make(chan error, 1)
	go func() { done <- in.run(ctx, guarded) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		mu.Lock()
		stopped = true
		mu.Unlock()
		// Files and sockets we opened are closed by run; give it a moment
		// to finish so that its last report is not lost.
		select {
		case err := <-done:
			if errors.Is(err, context.Canceled) {
				return nil
			}
			return err
		case <-time.After(200 * time.Millisecond):
			return nil
		}
	}
}

func (in *Input) run(ctx context.Context, h Handler) error {
	if in.cfg.Unix != "" {
		return in.runUnix(ctx, h)
	}
	if in.cfg.File == "" || in.cfg.File == "stdin" || in.cfg.File == "-" {
		return in.decode(ctx, in.cfg.Stdin, "stdin", h)
	}
	f, err := os.Open(in.cfg.File)
	if err != nil {
		return fmt.Errorf("open input: %w", err)
	}
	defer f.Close()
	stop := context.AfterFunc(ctx, func() { f.Close() })
	defer stop()
	err = in.decode(ctx, f, in.cfg.File, h)
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// decode reads one stream in the configured format.
func (in *Input) decode(ctx context.Context, r io.Reader, name string, h Handler) error {
	if in.cfg.Format == FormatJSON {
		return in.decodeJSON(ctx, r, name, h)
	}
	return in.decodeProtobuf(ctx, r, name, h)
}

func (in *Input) runUnix(ctx context.Context, h Handler) error {
	backoff := minBackoff
	var lastErr string
	for {
		var d net.Dialer
		conn, err := d.DialContext(ctx, "unix", in.cfg.Unix)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if msg := err.Error(); msg != lastErr {
				in.cfg.Logf("connect %s: %v; retrying (backoff up to %s)", in.cfg.Unix, err, maxBackoff)
				lastErr = msg
			}
			if !sleep(ctx, backoff) {
				return nil
			}
			backoff = min(2*backoff, maxBackoff)
			continue
		}
		lastErr = ""
		backoff = minBackoff
		n := in.stats.Connections.Add(1)
		if n > 1 {
			in.cfg.Logf("reconnected to %s", in.cfg.Unix)
		}
		stop := context.AfterFunc(ctx, func() { conn.Close() })
		err = in.decode(ctx, conn, in.cfg.Unix, h)
		stop()
		conn.Close()
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			in.cfg.Logf("stream from %s: %v; reconnecting", in.cfg.Unix, err)
		} else {
			in.cfg.Logf("producer closed %s; reconnecting", in.cfg.Unix)
		}
		if !sleep(ctx, minBackoff) {
			return nil
		}
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// emit fills in a missing name or id, counts the event and passes it on.
func (in *Input) emit(ev *pb.Event, h Handler) {
	switch {
	case ev.EventName == "":
		if d, ok := events.ByID(events.ID(ev.EventId)); ok {
			ev.EventName = d.Name
		}
	case ev.EventId == 0:
		if d, ok := events.ByName(ev.EventName); ok {
			ev.EventId = int32(d.ID)
		}
	}
	if _, known := events.ByName(ev.EventName); !known {
		in.stats.UnknownEvents.Add(1)
		in.mu.Lock()
		if !in.unknownNames[ev.EventName] && len(in.unknownNames) < maxReportedUnknown {
			in.unknownNames[ev.EventName] = true
			in.cfg.Logf("unknown event %q (id %d): passed on; no built-in signature selects it", ev.EventName, ev.EventId)
		}
		in.mu.Unlock()
	}
	in.stats.Events.Add(1)
	h(ev)
}

// decodeError counts a decode error and reports the first ones and then every
// 1000th, so that a garbage input does not flood stderr.
func (in *Input) decodeError(format string, args ...any) {
	n := in.stats.DecodeErrors.Add(1)
	if in.cfg.OnDecodeError != nil {
		in.cfg.OnDecodeError()
	}
	if n <= 20 || n%1000 == 0 {
		in.cfg.Logf(format+" (decode error #%d)", append(args, n)...)
	}
}
