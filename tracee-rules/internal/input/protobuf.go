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
			return nil // empty stream: nothing to read, nothing lost
		}
		in.decodeError("%s: %v", name, err)
		return fmt.Errorf("%s: %w", name, err)
	}
	hdr := sr.Header()
	in.cfg.Logf("%s: stream from %s %s on %s (kernel %s)", name, hdr.GetProducer(), hdr.GetProducerVersion(), hdr.GetHostname(), hdr.GetKernelRelease())
	done := ctx.Done()
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
			in.emit(k.Event, h)
		case *pb.StreamMessage_Lost:
			in.lost(name, k.Lost)
		case *pb.StreamMessage_Header:
			// A second header: streams concatenated into one file.
			if v := k.Header.GetProtocolVersion(); v != pb.ProtocolVersion_PROTOCOL_VERSION_1 {
				in.decodeError("%s: header before byte offset %d has unsupported protocol version %d", name, sr.Offset(), v)
				return fmt.Errorf("%s: unsupported protocol version %d in a later header", name, v)
			}
			in.cfg.Logf("%s: new stream from %s %s", name, k.Header.GetProducer(), k.Header.GetProducerVersion())
		default:
			in.decodeError("%s: frame of unknown kind before byte offset %d skipped", name, sr.Offset())
		}
	}
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
