package output

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/tracee-go/tracee/proto/stream"
	pb "github.com/tracee-go/tracee/proto/traceepb"
)

// Protobuf writes the proto/stream framing: the header, then events and
// loss frames. It flushes every FlushInterval and past FlushBytes.
type Protobuf struct {
	out  io.Writer
	mu   sync.Mutex
	sw   *stream.Writer
	stop chan struct{}
	done chan struct{}
	err  error // first flush error of the timer
	once sync.Once
	rot  *rotatingFile // out-file rotated by size, or nil
	hdr  *pb.Header
}

// NewProtobuf returns a protobuf stream printer.
func NewProtobuf(out io.Writer) *Protobuf {
	return &Protobuf{out: out}
}

var errNoHeader = errors.New("protobuf output: event before the stream header")

// Header implements Printer; it must come first and only once.
func (p *Protobuf) Header(h *pb.Header) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.sw != nil {
		return errors.New("protobuf output: header written twice")
	}
	sw, err := stream.NewWriter(p.out, h)
	if err != nil {
		return fmt.Errorf("protobuf output: %w", err)
	}
	p.sw, p.hdr = sw, h
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("protobuf output: %w", err)
	}
	p.stop, p.done = make(chan struct{}), make(chan struct{})
	go p.loop()
	return nil
}

func (p *Protobuf) loop() {
	defer close(p.done)
	t := time.NewTicker(FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.mu.Lock()
			if p.sw.Buffered() > 0 {
				if err := p.sw.Flush(); err != nil && p.err == nil {
					p.err = err
				}
			}
			p.mu.Unlock()
		}
	}
}

func (p *Protobuf) write(f func() error) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.sw == nil {
		return errNoHeader
	}
	if p.err != nil {
		return fmt.Errorf("protobuf output: %w", p.err)
	}
	if err := f(); err != nil {
		return fmt.Errorf("protobuf output: %w", err)
	}
	if p.sw.Buffered() > FlushBytes || (p.rot != nil && p.rot.n+int64(p.sw.Buffered()) >= p.rot.max) {
		if err := p.sw.Flush(); err != nil {
			return fmt.Errorf("protobuf output: %w", err)
		}
	}
	if p.rot != nil && p.rot.full() {
		// Each file ends in order and the next starts with the header.
		if err := p.sw.WriteEnd(&pb.EndOfStream{Reason: "rotated"}); err != nil {
			return fmt.Errorf("protobuf output: %w", err)
		}
		if err := p.sw.Flush(); err != nil {
			return fmt.Errorf("protobuf output: %w", err)
		}
		if err := p.rot.rotate(); err != nil {
			return fmt.Errorf("protobuf output: %w", err)
		}
		sw, err := stream.NewWriter(p.rot, p.hdr)
		if err != nil {
			return fmt.Errorf("protobuf output: %w", err)
		}
		p.sw = sw
	}
	return nil
}

// Print implements Printer.
func (p *Protobuf) Print(ev *pb.Event) error {
	return p.write(func() error { return p.sw.WriteEvent(ev) })
}

// Lost implements Printer.
func (p *Protobuf) Lost(l *pb.Lost) error {
	return p.write(func() error { return p.sw.WriteLost(l) })
}

// End implements Ender: the end-of-stream frame, flushed at once.
func (p *Protobuf) End(e *pb.EndOfStream) error {
	return p.write(func() error {
		if err := p.sw.WriteEnd(e); err != nil {
			return err
		}
		return p.sw.Flush()
	})
}

// Close implements Printer: it stops the timer and flushes.
func (p *Protobuf) Close() error {
	p.mu.Lock()
	started := p.sw != nil
	p.mu.Unlock()
	if !started {
		return nil
	}
	p.once.Do(func() { close(p.stop) })
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.sw.Flush(); err != nil {
		return fmt.Errorf("protobuf output: %w", err)
	}
	return nil
}
