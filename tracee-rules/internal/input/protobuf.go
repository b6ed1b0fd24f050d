package input

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/tracee-go/tracee/proto/stream"
	pb "github.com/tracee-go/tracee/proto/traceepb"
)

func (in *Input) decodeProtobuf(ctx context.Context, r io.Reader, name string, h Handler) error {
	var opts []stream.Option
	if in.cfg.MaxFrameSize > 0 {
		opts = append(opts, stream.WithMaxFrameSize(in.cfg.MaxFrameSize))
	}
	sr, err := stream.NewReader(r, opts...)
	if err != nil {
		if errors.Is(err, io.EOF) {
			in.stats.EmptyStreams.Add(1)
			return fmt.Errorf("%s: %w", name, ErrEmptyStream)
		}
		in.decodeError("%s: %v", name, err)
		return fmt.Errorf("%s: %w", name, err)
	}
	hdr := sr.Header()
	if in.cfg.OnHeader != nil {
		in.cfg.OnHeader(hdr)
	}
	in.cfg.Logf("%s: stream from %s %s on %s (kernel %s)", name, hdr.GetProducer(), hdr.GetProducerVersion(), hdr.GetHostname(), hdr.GetKernelRelease())
	done := ctx.Done()
	ended := false // the current stream's end-of-stream frame was read
	for {
		select {
		case <-done:
			return nil
		default:
		}
		m := new(pb.StreamMessage)
		err := sr.Next(m)
		switch {
		case err == nil:
		case errors.Is(err, io.EOF):
			if !ended {
				in.cut(name)
				return fmt.Errorf("%s: %w", name, ErrNoEndOfStream)
			}
			return nil
		case errors.Is(err, stream.ErrTruncated), errors.Is(err, stream.ErrFrameTooLarge):
			// The rest of the stream cannot be framed again.
			in.decodeError("%s: %v", name, err)
			return fmt.Errorf("%s: %w", name, err)
		default:
			var fe *stream.FrameError
			if !errors.As(err, &fe) {
				return fmt.Errorf("%s: read: %w", name, err) // I/O error
			}
			// A frame whose body does not parse was read whole: skip it.
			in.decodeError("%s: %v; frame skipped", name, err)
			continue
		}
		switch k := m.Kind.(type) {
		case *pb.StreamMessage_Event:
			if k.Event == nil {
				in.decodeError("%s: empty event frame before byte offset %d", name, sr.Offset())
				continue
			}
			if ended {
				in.decodeError("%s: event after the end-of-stream frame before byte offset %d", name, sr.Offset())
			}
			in.emit(k.Event, h)
		case *pb.StreamMessage_End:
			ended = true
			in.end(name, k.End)
		case *pb.StreamMessage_Lost:
			in.lost(name, k.Lost)
		case *pb.StreamMessage_Header:
			// A second header: streams concatenated into one file.
			if v := k.Header.GetProtocolVersion(); v != pb.ProtocolVersion_PROTOCOL_VERSION_1 {
				in.decodeError("%s: header before byte offset %d has unsupported protocol version %d", name, sr.Offset(), v)
				return fmt.Errorf("%s: unsupported protocol version %d in a later header", name, v)
			}
			if !ended {
				in.cut(name)
				in.cfg.Logf("WARNING: %s: a new stream starts before byte offset %d but the previous one has no end-of-stream frame: it was cut and events may be missing", name, sr.Offset())
			}
			ended = false
			if in.cfg.OnHeader != nil {
				in.cfg.OnHeader(k.Header)
			}
			in.cfg.Logf("%s: new stream from %s %s", name, k.Header.GetProducer(), k.Header.GetProducerVersion())
		default:
			in.decodeError("%s: frame of unknown kind before byte offset %d skipped", name, sr.Offset())
		}
	}
}

// ErrNoEndOfStream is wrapped when a protobuf stream stops without its
// end-of-stream frame: the producer died or the pipe was cut, and events
// may be missing.
var ErrNoEndOfStream = errors.New("stream ended without an end-of-stream frame: the producer stopped before finishing (killed or crashed?) and events may be missing")

// ErrEmptyStream is wrapped when a protobuf input holds no data at all (not
// even the header): the producer never started.
var ErrEmptyStream = errors.New("empty stream: no header, no events (did the producer start?)")

func (in *Input) cut(name string) {
	in.stats.CutStreams.Add(1)
	if in.cfg.OnCut != nil {
		in.cfg.OnCut(name)
	}
}

func (in *Input) end(name string, e *pb.EndOfStream) {
	in.stats.EndedStreams.Add(1)
	if in.cfg.OnEnd != nil {
		in.cfg.OnEnd(e)
	}
	in.cfg.Logf("%s: end of stream (%s): the producer wrote %d events; %d lost in the kernel, %d failed reads, %d truncated, %d decode errors, %d output errors",
		name, e.GetReason(), e.GetEvents(), e.GetKernelEventsLost(), e.GetFailedReads(), e.GetTruncated(), e.GetDecodeErrors(), e.GetOutputErrors())
}

func (in *Input) lost(name string, l *pb.Lost) {
	if in.cfg.OnLost != nil {
		in.cfg.OnLost(l)
	}
	in.stats.LostFrames.Add(1)
	in.stats.LostKernelEvents.Add(l.GetKernelEvents())
	in.stats.LostFailedReads.Add(l.GetFailedReads())
	in.stats.LostUserspace.Add(l.GetDroppedUserspace())
	in.cfg.Logf("%s: producer lost events: %d in the kernel (%d in total), %d incomplete reads (%d in total), %d dropped in user space",
		name, l.GetKernelEvents(), l.GetKernelEventsTotal(), l.GetFailedReads(), l.GetFailedReadsTotal(), l.GetDroppedUserspace())
}
