package stream

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"google.golang.org/protobuf/encoding/protowire"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

// DefaultMaxFrameSize bounds a single frame. The largest event tracee-ebpf
// emits is well below this (the largest kernel record, an exec with 2 x 256 KiB
// of argv and env, decodes to about 1 MiB).
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
	size := m.SizeVT()
	sw.buf = protowire.AppendVarint(sw.buf[:0], uint64(size))
	var err error
	if sw.buf, err = appendVTSized(sw.buf, m, size); err != nil {
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
	own := ev.SizeVT() // computed once: it walks every argument
	evSize := own + len(sw.ancBytes)
	// StreamMessage{event: field 2}: tag, length, event fields, ancestry.
	frame := protowire.SizeTag(eventField) + protowire.SizeBytes(evSize)
	sw.buf = protowire.AppendVarint(sw.buf[:0], uint64(frame))
	sw.buf = protowire.AppendTag(sw.buf, eventField, protowire.BytesType)
	sw.buf = protowire.AppendVarint(sw.buf, uint64(evSize))
	var err error
	if sw.buf, err = appendVTSized(sw.buf, ev, own); err != nil {
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
	return appendVTSized(b, m, m.SizeVT())
}

// appendVTSized appends m's encoding, whose size is known, to b.
func appendVTSized(b []byte, m vtMessage, size int) ([]byte, error) {
	n := len(b)
	b = slices.Grow(b, size)[:n+size]
	_, err := m.MarshalToSizedBufferVT(b[n:])
	return b, err
}

// WriteLost queues one lost-events frame.
func (sw *Writer) WriteLost(l *pb.Lost) error {
	return sw.write(&pb.StreamMessage{Kind: &pb.StreamMessage_Lost{Lost: l}})
}

// WriteEnd queues the end-of-stream frame. It is the last frame of a stream
// that ended in order; a reader that reaches the end of the data without it
// knows the stream was cut.
func (sw *Writer) WriteEnd(e *pb.EndOfStream) error {
	return sw.write(&pb.StreamMessage{Kind: &pb.StreamMessage_End{End: e}})
}

// Flush writes buffered frames to the underlying writer.
func (sw *Writer) Flush() error { return sw.w.Flush() }

// Buffered reports how many bytes wait for Flush.
func (sw *Writer) Buffered() int { return sw.w.Buffered() }

// Reader reads frames written by Writer (or by protodelim.MarshalTo).
//
// It reads each frame's varint length and body itself, into a buffer it
// reuses, and decodes the body with the generated vtprotobuf unmarshaller: the
// reflection-based protodelim.UnmarshalFrom costs several times more per event.
// Decoded strings and bytes are copies, never views of that buffer.
type Reader struct {
	r       *bufio.Reader
	off     int64 // bytes consumed so far
	maxSize int64 // 0: DefaultMaxFrameSize; negative: no limit
	buf     []byte
	header  *pb.Header
}

// Option configures a Reader.
type Option func(*Reader)

// WithMaxFrameSize sets the largest frame the reader accepts. Zero means
// DefaultMaxFrameSize; a negative size means no limit.
func WithMaxFrameSize(n int64) Option {
	return func(r *Reader) { r.maxSize = n }
}

// NewReader reads and validates the stream header.
func NewReader(r io.Reader, opts ...Option) (*Reader, error) {
	sr := &Reader{r: bufio.NewReaderSize(r, 256<<10)}
	for _, o := range opts {
		o(sr)
	}
	if sr.maxSize == 0 {
		sr.maxSize = DefaultMaxFrameSize
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
func (sr *Reader) Offset() int64 { return sr.off }

// Next reads the next frame into m, replacing what m held. Messages that
// earlier calls stored in m (m.GetEvent() and the like) are not modified, so
// a caller may keep them.
//
// It returns io.EOF at a clean end of stream (between frames) and a
// *FrameError for a bad frame: ErrFrameTooLarge or ErrTruncated (the stream
// cannot be framed past it), or a corrupt frame (its body does not decode;
// the next call reads the following frame). A failure of the underlying
// reader other than an end of data is returned wrapped, not as a *FrameError.
func (sr *Reader) Next(m *pb.StreamMessage) error {
	return sr.next(m)
}

// chunk bounds how much of the buffer is grown ahead of the data arriving,
// so a corrupt length under a large limit does not allocate it all up front.
const chunk = 1 << 20

func (sr *Reader) next(m *pb.StreamMessage) error {
	start := sr.off
	size, err := sr.readSize()
	if err != nil {
		return sr.frameError(start, err)
	}
	if sr.maxSize > 0 && size > uint64(sr.maxSize) || size > math.MaxInt {
		limit := sr.maxSize
		if limit < 0 {
			limit = math.MaxInt
		}
		return &FrameError{Offset: start, Err: fmt.Errorf("%w: %d bytes, limit %d", ErrFrameTooLarge, size, limit)}
	}
	body := sr.buf[:0]
	for len(body) < int(size) {
		n := min(int(size)-len(body), chunk)
		body = slices.Grow(body, n)
		got, err := io.ReadFull(sr.r, body[len(body):len(body)+n])
		body = body[:len(body)+got]
		sr.off += int64(got)
		if err != nil {
			sr.keep(body)
			return sr.frameError(start, err)
		}
	}
	sr.keep(body)
	m.Reset()
	if err := m.UnmarshalVT(body); err != nil {
		return &FrameError{Offset: start, Err: fmt.Errorf("corrupt frame: %w", err)}
	}
	if err := checkUTF8(m); err != nil {
		return &FrameError{Offset: start, Err: fmt.Errorf("corrupt frame: %w", err)}
	}
	return nil
}

// keep holds on to the frame buffer for the next frame, unless an unusually
// large frame grew it.
func (sr *Reader) keep(b []byte) {
	if cap(b) <= chunk {
		sr.buf = b[:0]
	} else {
		sr.buf = nil
	}
}

// readSize reads a frame's varint length prefix.
func (sr *Reader) readSize() (uint64, error) {
	var v uint64
	for i := 0; i < binary.MaxVarintLen64; i++ {
		b, err := sr.r.ReadByte()
		if err != nil {
			if err == io.EOF && i > 0 {
				return 0, io.ErrUnexpectedEOF
			}
			return 0, err
		}
		sr.off++
		if i == binary.MaxVarintLen64-1 && b > 1 {
			return 0, errVarintOverflow
		}
		v |= uint64(b&0x7f) << (7 * i)
		if b < 0x80 {
			return v, nil
		}
	}
	return 0, errVarintOverflow
}

var errVarintOverflow = errors.New("frame length: variable length integer overflow")

// frameError classifies a failure to read a frame that started at start.
func (sr *Reader) frameError(start int64, err error) error {
	switch {
	case errors.Is(err, io.EOF) && sr.off == start:
		return io.EOF
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		err = fmt.Errorf("%w: stream ended after %d bytes of the frame", ErrTruncated, sr.off-start)
	case errors.Is(err, errVarintOverflow):
		err = fmt.Errorf("corrupt frame: %w", err)
	default:
		return fmt.Errorf("read frame at byte offset %d: %w", start, err)
	}
	return &FrameError{Offset: start, Err: err}
}
