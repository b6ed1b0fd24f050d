package stream

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"

	"google.golang.org/protobuf/encoding/protodelim"
	"google.golang.org/protobuf/encoding/protowire"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

// DefaultMaxFrameSize bounds a single frame. The largest event tracee-ebpf
// emits is well below this (a 32 KiB kernel record decodes to less than 64 KiB).
const DefaultMaxFrameSize = 4 << 20

// ErrFrameTooLarge is wrapped by errors for frames above the maximum size.
var ErrFrameTooLarge = errors.New("frame too large")

// ErrTruncated is wrapped by errors for a stream that ends inside a frame.
var ErrTruncated = errors.New("truncated frame")

// ErrNoHeader is returned when the first frame of a stream is not a Header.
var ErrNoHeader = errors.New("stream does not start with a header")

// FrameError locates a bad frame in the stream.
type FrameError struct {
	Offset int64 // byte offset of the start of the frame (its length prefix)
	Err    error
}

func (e *FrameError) Error() string {
	return fmt.Sprintf("frame at byte offset %d: %v", e.Offset, e.Err)
}

func (e *FrameError) Unwrap() error { return e.Err }

// Writer writes length-prefixed frames. It is not safe for concurrent use.
type Writer struct {
	w   *bufio.Writer
	buf []byte

	anc      []*pb.Ancestor // the ancestry encoded in ancBytes
	ancBytes []byte
}

// NewWriter returns a Writer that has already queued hdr as the first frame.
func NewWriter(w io.Writer, hdr *pb.Header) (*Writer, error) {
	sw := &Writer{w: bufio.NewWriterSize(w, 256<<10)}
	if err := sw.write(&pb.StreamMessage{Kind: &pb.StreamMessage_Header{Header: hdr}}); err != nil {
		return nil, fmt.Errorf("write header: %w", err)
	}
	return sw, nil
}

func (sw *Writer) write(m *pb.StreamMessage) error {
	// The same bytes protodelim.MarshalTo writes (varint length, message),
	// encoded with the generated vtprotobuf marshaller into a reused buffer:
	// the reflection-based path allocates and costs several times more per
	// event, and tracee-ebpf writes millions of them a second.
	sw.buf = protowire.AppendVarint(sw.buf[:0], uint64(m.SizeVT()))
	var err error
	if sw.buf, err = appendVT(sw.buf, m); err != nil {
		return err
	}
	_, err = sw.w.Write(sw.buf)
	return err
}

// WriteEvent queues one event frame.
//
// Consecutive events of one process usually share their ancestry (the
// process tree hands out one slice per process); its encoding is kept and
// appended instead of being marshalled again for every event. Protobuf
// fields may come in any order, so the frame decodes to the same message.
func (sw *Writer) WriteEvent(ev *pb.Event) error {
	anc := ev.Ancestry
	if len(anc) == 0 {
		return sw.write(&pb.StreamMessage{Kind: &pb.StreamMessage_Event{Event: ev}})
	}
	if !slices.Equal(anc, sw.anc) {
		sw.anc = append(sw.anc[:0], anc...) // holding them keeps their addresses unique
		sw.ancBytes = sw.ancBytes[:0]
		for _, a := range anc {
			sw.ancBytes = protowire.AppendTag(sw.ancBytes, ancestryField, protowire.BytesType)
			sw.ancBytes = protowire.AppendVarint(sw.ancBytes, uint64(a.SizeVT()))
			var err error
			if sw.ancBytes, err = appendVT(sw.ancBytes, a); err != nil {
				return err
			}
		}
	}
	ev.Ancestry = nil
	defer func() { ev.Ancestry = anc }()
	evSize := ev.SizeVT() + len(sw.ancBytes)
	// StreamMessage{event: field 2}: tag, length, event fields, ancestry.
	frame := protowire.SizeTag(eventField) + protowire.SizeBytes(evSize)
	sw.buf = protowire.AppendVarint(sw.buf[:0], uint64(frame))
	sw.buf = protowire.AppendTag(sw.buf, eventField, protowire.BytesType)
	sw.buf = protowire.AppendVarint(sw.buf, uint64(evSize))
	var err error
	if sw.buf, err = appendVT(sw.buf, ev); err != nil {
		return err
	}
	sw.buf = append(sw.buf, sw.ancBytes...)
	_, err = sw.w.Write(sw.buf)
	return err
}

// Field numbers from tracee.proto.
const (
	eventField    protowire.Number = 2  // StreamMessage.event
	ancestryField protowire.Number = 21 // Event.ancestry
)

type vtMessage interface {
	SizeVT() int
	MarshalToSizedBufferVT([]byte) (int, error)
}

// appendVT appends m's encoding to b.
func appendVT(b []byte, m vtMessage) ([]byte, error) {
	n, size := len(b), m.SizeVT()
	b = slices.Grow(b, size)[:n+size]
	_, err := m.MarshalToSizedBufferVT(b[n:])
	return b, err
}

// WriteLost queues one lost-events frame.
func (sw *Writer) WriteLost(l *pb.Lost) error {
	return sw.write(&pb.StreamMessage{Kind: &pb.StreamMessage_Lost{Lost: l}})
}

// Flush writes buffered frames to the underlying writer.
func (sw *Writer) Flush() error { return sw.w.Flush() }

// Buffered reports how many bytes wait for Flush.
func (sw *Writer) Buffered() int { return sw.w.Buffered() }

// countingReader tracks the offset of what has been consumed.
type countingReader struct {
	r   *bufio.Reader
	off int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.off += int64(n)
	return n, err
}

func (c *countingReader) ReadByte() (byte, error) {
	b, err := c.r.ReadByte()
	if err == nil {
		c.off++
	}
	return b, err
}

// Reader reads frames written by Writer.
type Reader struct {
	cr     *countingReader
	opts   protodelim.UnmarshalOptions
	header *pb.Header
}

// Option configures a Reader.
type Option func(*Reader)

// WithMaxFrameSize sets the largest frame the reader accepts.
func WithMaxFrameSize(n int64) Option {
	return func(r *Reader) { r.opts.MaxSize = n }
}

// NewReader reads and validates the stream header.
func NewReader(r io.Reader, opts ...Option) (*Reader, error) {
	sr := &Reader{cr: &countingReader{r: bufio.NewReaderSize(r, 256<<10)}}
	sr.opts.MaxSize = DefaultMaxFrameSize
	for _, o := range opts {
		o(sr)
	}
	var m pb.StreamMessage
	if err := sr.next(&m); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("read header: empty stream: %w", io.EOF)
		}
		return nil, fmt.Errorf("read header: %w", err)
	}
	h := m.GetHeader()
	if h == nil {
		return nil, &FrameError{Offset: 0, Err: ErrNoHeader}
	}
	if h.ProtocolVersion != pb.ProtocolVersion_PROTOCOL_VERSION_1 {
		return nil, &FrameError{Offset: 0, Err: fmt.Errorf("unsupported protocol version %d (this reader speaks %d)", h.ProtocolVersion, pb.ProtocolVersion_PROTOCOL_VERSION_1)}
	}
	sr.header = h
	return sr, nil
}

// Header returns the stream's header.
func (sr *Reader) Header() *pb.Header { return sr.header }

// Offset is the number of bytes consumed so far.
func (sr *Reader) Offset() int64 { return sr.cr.off }

// Next reads the next frame into m. It returns io.EOF at a clean end of stream
// (between frames) and a *FrameError for anything else.
func (sr *Reader) Next(m *pb.StreamMessage) error {
	return sr.next(m)
}

func (sr *Reader) next(m *pb.StreamMessage) error {
	start := sr.cr.off
	err := sr.opts.UnmarshalFrom(sr.cr, m)
	if err == nil {
		return nil
	}
	if errors.Is(err, io.EOF) && sr.cr.off == start {
		return io.EOF
	}
	var tooLarge *protodelim.SizeTooLargeError
	switch {
	case errors.As(err, &tooLarge):
		err = fmt.Errorf("%w: %d bytes, limit %d", ErrFrameTooLarge, tooLarge.Size, sr.opts.MaxSize)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		err = fmt.Errorf("%w: stream ended after %d bytes of the frame", ErrTruncated, sr.cr.off-start)
	default:
		err = fmt.Errorf("corrupt frame: %w", err)
	}
	return &FrameError{Offset: start, Err: err}
}
