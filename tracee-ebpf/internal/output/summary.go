package output

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

// maxErrorKinds bounds the distinct error messages a Summary keeps.
const maxErrorKinds = 20

// Summary counts a run: events by name, errors and losses. It is a
// Printer (add it to a Multi) and is safe for concurrent use; WriteTo
// prints it (the lead prints it on stderr at exit).
type Summary struct {
	mu          sync.Mutex
	start       time.Time
	now         func() time.Time
	byName      map[string]uint64
	events      uint64
	errs        map[string]uint64
	errTotal    uint64
	kernelLost  uint64 // from the running totals
	failedReads uint64
	dropped     uint64
}

// NewSummary starts counting now.
func NewSummary() *Summary {
	return &Summary{start: time.Now(), now: time.Now, byName: map[string]uint64{}, errs: map[string]uint64{}}
}

// Header implements Printer.
func (s *Summary) Header(*pb.Header) error { return nil }

// Print implements Printer: counts the event.
func (s *Summary) Print(ev *pb.Event) error {
	s.mu.Lock()
	s.byName[ev.GetEventName()]++
	s.events++
	s.mu.Unlock()
	return nil
}

// Lost implements Printer: accumulates losses.
func (s *Summary) Lost(l *pb.Lost) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.kernelLost = max(s.kernelLost+l.GetKernelEvents(), l.GetKernelEventsTotal())
	s.failedReads = max(s.failedReads+l.GetFailedReads(), l.GetFailedReadsTotal())
	s.dropped += l.GetDroppedUserspace()
	return nil
}

// Close implements Printer.
func (s *Summary) Close() error { return nil }

// Error counts an error; identical messages are grouped.
func (s *Summary) Error(err error) {
	if err == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errTotal++
	msg := err.Error()
	if _, ok := s.errs[msg]; ok || len(s.errs) < maxErrorKinds {
		s.errs[msg]++
	}
}

// Events is the number of events counted.
func (s *Summary) Events() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.events
}

// WriteTo prints the summary.
func (s *Summary) WriteTo(w io.Writer) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "tracee-ebpf summary: %d events in %s\n", s.events, s.now().Sub(s.start).Round(time.Millisecond))
	names := make([]string, 0, len(s.byName))
	for n := range s.byName {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if s.byName[names[i]] != s.byName[names[j]] {
			return s.byName[names[i]] > s.byName[names[j]]
		}
		return names[i] < names[j]
	})
	if len(names) > 0 {
		fmt.Fprintf(&b, "  %-32s %12s\n", "EVENT", "COUNT")
		for _, n := range names {
			fmt.Fprintf(&b, "  %-32s %12d\n", n, s.byName[n])
		}
	}
	fmt.Fprintf(&b, "  lost: %d in the kernel ring buffer, %d failed memory reads, %d dropped in user space\n", s.kernelLost, s.failedReads, s.dropped)
	fmt.Fprintf(&b, "  errors: %d\n", s.errTotal)
	msgs := make([]string, 0, len(s.errs))
	for m := range s.errs {
		msgs = append(msgs, m)
	}
	sort.Strings(msgs)
	for _, m := range msgs {
		fmt.Fprintf(&b, "    %s (x%d)\n", m, s.errs[m])
	}
	if len(s.errs) == maxErrorKinds {
		fmt.Fprintf(&b, "    (further kinds of errors not listed)\n")
	}
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}
