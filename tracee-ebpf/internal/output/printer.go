package output

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

// Printer receives the stream: Header first, then events and loss reports.
type Printer interface {
	Header(h *pb.Header) error
	Print(ev *pb.Event) error
	Lost(l *pb.Lost) error
	Close() error
}

// Ender is implemented by printers of a framed stream (protobuf, unix):
// End writes the end-of-stream frame, the last before Close.
type Ender interface {
	End(e *pb.EndOfStream) error
}

// End ends the stream of every printer in p that frames one; the others
// (table, JSON) print the summary on the error stream instead.
func End(p Printer, e *pb.EndOfStream) error {
	if en, ok := p.(Ender); ok {
		return en.End(e)
	}
	return nil
}

// Flush policy of buffered printers.
const (
	FlushInterval = 100 * time.Millisecond
	FlushBytes    = 64 << 10
)

// Options carries what New needs besides the flags.
type Options struct {
	Stdout, Stderr io.Writer                     // defaults os.Stdout, os.Stderr
	Logf           func(format string, a ...any) // messages (unix readers); default writes to the err stream
	Location       *time.Location                // table time zone; default time.Local
}

// New builds the printer described by cfg: the format printer on the out
// stream, plus the unix socket server when asked for, wrapped so that
// envp is dropped unless exec-env is set.
func New(cfg Config, opts Options) (Printer, error) {
	if opts.Stdout == nil {
		opts.Stdout = os.Stdout
	}
	if opts.Stderr == nil {
		opts.Stderr = os.Stderr
	}
	var closers []io.Closer
	fail := func(err error) (Printer, error) {
		for _, c := range closers {
			c.Close()
		}
		return nil, err
	}
	out, errW := opts.Stdout, opts.Stderr
	var rot *rotatingFile
	if cfg.RotateSize > 0 {
		var err error
		if rot, err = openRotating(cfg.OutFile, cfg.RotateSize); err != nil {
			return fail(err)
		}
		closers = append(closers, rot)
		out = rot
	} else if cfg.OutFile != "" {
		f, err := os.OpenFile(cfg.OutFile, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o640)
		if err != nil {
			return fail(fmt.Errorf("open out-file: %w", err))
		}
		closers = append(closers, f)
		out = f
	}
	if cfg.ErrFile != "" {
		f, err := os.OpenFile(cfg.ErrFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
		if err != nil {
			return fail(fmt.Errorf("open err-file: %w", err))
		}
		closers = append(closers, f)
		errW = f
	}
	if opts.Logf == nil {
		var mu sync.Mutex
		opts.Logf = func(format string, a ...any) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(errW, format+"\n", a...)
		}
	}
	var printers []Printer
	if cfg.UnixPath == "" || cfg.OutFile != "" {
		p, err := formatPrinter(cfg, out, errW, opts)
		if err != nil {
			return fail(err)
		}
		printers = append(printers, p)
	}
	if cfg.UnixPath != "" {
		srv, err := ListenUnix(cfg.UnixPath, opts.Logf)
		if err != nil {
			for _, p := range printers {
				p.Close()
			}
			return fail(err)
		}
		printers = append(printers, srv)
	}
	var res Printer = &Multi{Printers: printers, closers: closers}
	if !cfg.ExecEnv {
		res = &dropEnv{next: res}
	}
	return res, nil
}

// formatPrinter is the printer of cfg.Format on out.
func formatPrinter(cfg Config, out, errW io.Writer, opts Options) (Printer, error) {
	var p Printer
	var err error
	switch cfg.Format {
	case FormatTable, "":
		p = NewTable(out, errW, false, opts.Location)
	case FormatTableVerbose:
		p = NewTable(out, errW, true, opts.Location)
	case FormatJSON:
		p = NewJSON(out, errW)
	case FormatGoTemplate:
		p, err = NewTemplate(cfg.TemplatePath, out, errW)
	case FormatProtobuf:
		pp := NewProtobuf(out)
		pp.rot, _ = out.(*rotatingFile)
		p = pp
	default:
		err = fmt.Errorf("unknown format %q", cfg.Format)
	}
	return p, err
}

// Multi sends everything to several printers. Errors are joined; one
// failing printer does not stop the others.
type Multi struct {
	Printers []Printer
	closers  []io.Closer
}

func (m *Multi) each(f func(Printer) error) error {
	var errs []error
	for _, p := range m.Printers {
		if err := f(p); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Header implements Printer.
func (m *Multi) Header(h *pb.Header) error {
	return m.each(func(p Printer) error { return p.Header(h) })
}

// Print implements Printer.
func (m *Multi) Print(ev *pb.Event) error {
	return m.each(func(p Printer) error { return p.Print(ev) })
}

// Lost implements Printer.
func (m *Multi) Lost(l *pb.Lost) error { return m.each(func(p Printer) error { return p.Lost(l) }) }

// End implements Ender for the printers that frame a stream.
func (m *Multi) End(e *pb.EndOfStream) error {
	return m.each(func(p Printer) error { return End(p, e) })
}

// Close implements Printer: it closes the printers, then the files.
func (m *Multi) Close() error {
	err := m.each(func(p Printer) error { return p.Close() })
	for _, c := range m.closers {
		if cerr := c.Close(); cerr != nil {
			err = errors.Join(err, cerr)
		}
	}
	return err
}

// dropEnv hides the envp argument of execve/execveat (option:exec-env
// keeps it). It swaps the argument slice for the duration of Print.
type dropEnv struct{ next Printer }

func (d *dropEnv) Header(h *pb.Header) error   { return d.next.Header(h) }
func (d *dropEnv) Lost(l *pb.Lost) error       { return d.next.Lost(l) }
func (d *dropEnv) Close() error                { return d.next.Close() }
func (d *dropEnv) End(e *pb.EndOfStream) error { return End(d.next, e) }

func (d *dropEnv) Print(ev *pb.Event) error {
	if name := ev.GetEventName(); name != "execve" && name != "execveat" {
		return d.next.Print(ev)
	}
	orig := ev.Args
	kept := make([]*pb.Argument, 0, len(orig))
	for _, a := range orig {
		if a.GetName() != "envp" {
			kept = append(kept, a)
		}
	}
	ev.Args = kept
	err := d.next.Print(ev)
	ev.Args = orig
	return err
}

// LostText describes a loss report for humans, "" when it reports nothing.
func LostText(l *pb.Lost) string {
	var parts []string
	if l.GetKernelEvents() > 0 {
		parts = append(parts, fmt.Sprintf("%d events lost in the kernel ring buffer (%d in total)", l.GetKernelEvents(), l.GetKernelEventsTotal()))
	}
	if l.GetFailedReads() > 0 {
		parts = append(parts, fmt.Sprintf("%d failed memory reads (%d in total)", l.GetFailedReads(), l.GetFailedReadsTotal()))
	}
	if l.GetDroppedUserspace() > 0 {
		parts = append(parts, fmt.Sprintf("%d events dropped in user space", l.GetDroppedUserspace()))
	}
	return strings.Join(parts, ", ")
}

// buffered is a bufio.Writer flushed by a timer and by size.
type buffered struct {
	mu   sync.Mutex
	w    *bufio.Writer
	stop chan struct{}
	done chan struct{}
	once sync.Once
}

func newBuffered(w io.Writer) *buffered {
	b := &buffered{w: bufio.NewWriterSize(w, 2*FlushBytes), stop: make(chan struct{}), done: make(chan struct{})}
	go b.loop()
	return b
}

func (b *buffered) loop() {
	defer close(b.done)
	t := time.NewTicker(FlushInterval)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-t.C:
			b.mu.Lock()
			if b.w.Buffered() > 0 {
				_ = b.w.Flush() // a failure sticks in the writer and surfaces on the next write
			}
			b.mu.Unlock()
		}
	}
}

// write runs f on the writer under the lock, then flushes past FlushBytes.
func (b *buffered) write(f func(w *bufio.Writer) error) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if err := f(b.w); err != nil {
		return err
	}
	if b.w.Buffered() > FlushBytes {
		return b.w.Flush()
	}
	return nil
}

func (b *buffered) close() error {
	b.once.Do(func() { close(b.stop) })
	<-b.done
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Flush()
}
