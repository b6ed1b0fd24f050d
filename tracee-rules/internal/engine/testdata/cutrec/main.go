// Command cutrec cuts a recorded tracee-ebpf protobuf stream down to a sample
// small enough to commit: it re-encodes the header and the first frames (up to
// -events events) with proto/stream, gzip-compressed, and prints how many
// events of each name it kept. See ../README.md for how recorded.pb.gz was made.
package main

import (
	"compress/gzip"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/tracee-go/tracee/proto/stream"
	pb "github.com/tracee-go/tracee/proto/traceepb"
)

func main() {
	in := flag.String("in", "/tmp/rec.pb", "recorded stream (tracee-ebpf --output format:protobuf)")
	out := flag.String("out", "recorded.pb.gz", "gzip-compressed sample to write")
	maxEvents := flag.Int("events", 20000, "keep at most this many events")
	flag.Parse()
	if err := run(*in, *out, *maxEvents); err != nil {
		fmt.Fprintln(os.Stderr, "cutrec:", err)
		os.Exit(1)
	}
}

func run(in, out string, maxEvents int) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	r, err := stream.NewReader(f)
	if err != nil {
		return fmt.Errorf("read %s: %w", in, err)
	}
	o, err := os.Create(out)
	if err != nil {
		return err
	}
	zw, err := gzip.NewWriterLevel(o, gzip.BestCompression)
	if err != nil {
		return err
	}
	w, err := stream.NewWriter(zw, r.Header())
	if err != nil {
		return err
	}
	counts := map[string]int{}
	kept := 0
	for kept < maxEvents {
		var m pb.StreamMessage
		err := r.Next(&m)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", in, err)
		}
		switch {
		case m.GetEvent() != nil:
			err = w.WriteEvent(m.GetEvent())
			counts[m.GetEvent().GetEventName()]++
			kept++
		case m.GetLost() != nil:
			err = w.WriteLost(m.GetLost())
			counts["(lost)"]++
		}
		if err != nil {
			return fmt.Errorf("write %s: %w", out, err)
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	if err := o.Close(); err != nil {
		return fmt.Errorf("write %s: %w", out, err)
	}
	names := make([]string, 0, len(counts))
	for n := range counts {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Printf("%d events (read %d bytes of %s)\n", kept, r.Offset(), in)
	for _, n := range names {
		fmt.Printf("  %-26s %d\n", n, counts[n])
	}
	return nil
}
