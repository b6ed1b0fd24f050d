package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/tracee-go/tracee/proto/stream"
	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/filter"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/output"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

// replay prints a recording (tracee-ebpf --output format:protobuf) the way
// it would have been printed live: the --trace selection, scope and
// argument filters apply offline, then the --output format. A stream cut
// inside a frame (a crash mid-write) is printed up to its last complete
// frame, with a warning. Filters that need the kernel's process state
// (follow, tree=, pid=new, container=new, executable=) are refused.
func replay(ctx context.Context, o *options, stdout, stderr io.Writer) error {
	outCfg, err := output.ParseFlags(o.output)
	if err != nil {
		return err
	}
	if len(o.capture) > 0 {
		return errors.New("--input: --capture needs a live system (artifacts recorded with the events are kept)")
	}
	policy, err := filter.Parse(o.trace, filter.EventTable{}, nil)
	if err != nil {
		return err
	}
	if k := policy.Kernel; k.Follow || k.NewPID || len(k.Tree) > 0 || k.ContainerNew || k.Exe.Active() {
		return errors.New("--input: follow, tree=, pid=new, container=new and executable= need the live process tree; they cannot be applied to a recording")
	}
	wanted := map[events.ID]bool{}
	for _, id := range policy.Events {
		wanted[id] = true
	}
	f, err := os.Open(o.input)
	if err != nil {
		return fmt.Errorf("--input: %w", err)
	}
	defer f.Close()
	sr, err := stream.NewReader(f)
	if err != nil {
		return fmt.Errorf("--input %s: %w", o.input, err)
	}
	printer, err := output.New(outCfg, output.Options{Stdout: stdout, Stderr: stderr})
	if err != nil {
		return err
	}
	if err := printer.Header(sr.Header()); err != nil {
		printer.Close()
		return fmt.Errorf("write stream header: %w", err)
	}
	var printed, skipped uint64
	var readErr error
	for ctx.Err() == nil {
		var m pb.StreamMessage
		err := sr.Next(&m)
		if errors.Is(err, io.EOF) {
			break
		}
		if errors.Is(err, stream.ErrTruncated) {
			fmt.Fprintf(stderr, "tracee-ebpf: WARNING: %s: %v: printed up to the last complete frame\n", o.input, err)
			break
		}
		var fe *stream.FrameError
		if errors.As(err, &fe) && !errors.Is(err, stream.ErrFrameTooLarge) {
			fmt.Fprintf(stderr, "tracee-ebpf: %s: %v; frame skipped\n", o.input, err)
			continue
		}
		if err != nil {
			readErr = fmt.Errorf("--input %s: %w", o.input, err)
			break
		}
		switch k := m.Kind.(type) {
		case *pb.StreamMessage_Event:
			ev := k.Event
			if !wanted[events.ID(ev.GetEventId())] || !policy.Kernel.MatchScope(ev) || !policy.Match(ev) {
				skipped++
				continue
			}
			if err := printer.Print(ev); err != nil {
				readErr = fmt.Errorf("output: %w", err)
			}
			printed++
		case *pb.StreamMessage_Lost:
			if err := printer.Lost(k.Lost); err != nil {
				readErr = fmt.Errorf("output: %w", err)
			}
		case *pb.StreamMessage_End:
			if err := output.End(printer, k.End); err != nil {
				readErr = fmt.Errorf("output: %w", err)
			}
		}
		if readErr != nil {
			break
		}
	}
	closeErr := printer.Close()
	fmt.Fprintf(stderr, "tracee-ebpf: replayed %s: %d events printed, %d filtered out\n", o.input, printed, skipped)
	return errors.Join(readErr, closeErr)
}
