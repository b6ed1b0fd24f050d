package stream

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"

	"google.golang.org/protobuf/encoding/protodelim"

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
	size := m.SizeVT()
	sw.buf = protowireAppendVarint(sw.buf[:0], uint64(size))
	n := len(sw.buf)
	sw.buf = slices.Grow(sw.buf, size)[:n+size]
	if _, err := m.MarshalToSizedBufferVT(sw.buf[n:]); err != nil {
		return err
	}
	_, err := sw.w.Write(sw.buf)
	return err
}

// WriteEvent queues one event frame.
func (sw *Writer) WriteEvent(ev *pb.Event) error {
	return sw.write(&pb.StreamMessage{Kind: &pb.StreamMessage_Event{Event: ev}})
}

// WriteLost queues one lost-events frame.
func (sw *Writer) WriteLost(l *pb.Lost) error {
	return sw.write(&pb.StreamMessage{Kind: &pb.StreamMessage_Lost{Lost: l}})
}

// Flush writes buffered frames to the underlying writer.
func (sw *Writer) Flush() error { return sw.w.Flush() }

// Buffered reports how many bytes wait for Flush.
func (sw *Writer) Buffered() int { return sw.w.Buffered() }

func protowireAppendVarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

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
