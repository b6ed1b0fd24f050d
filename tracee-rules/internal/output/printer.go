package output

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk/traceejson"
)

// Printer writes each finding to w with a render function, flushing after
// each one so that a reader of a pipe sees findings as they happen.
type Printer struct {
	mu     sync.Mutex
	w      *bufio.Writer
	render func(w io.Writer, f sdk.Finding) error
}

// Send implements Sink.
func (p *Printer) Send(f sdk.Finding) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.render(p.w, f); err != nil {
		return err
	}
	return p.w.Flush()
}

// Close implements Sink.
func (p *Printer) Close(context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.w.Flush()
}

// NewLine returns the default output: one readable line per finding.
func NewLine(w io.Writer) *Printer {
	return &Printer{w: bufio.NewWriter(w), render: renderLine}
}

// NewJSON returns an output that writes one JSON object per finding per line
// (traceejson.Finding).
func NewJSON(w io.Writer) *Printer {
	return &Printer{w: bufio.NewWriter(w), render: func(w io.Writer, f sdk.Finding) error {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(traceejson.FromFinding(f)); err != nil {
			return fmt.Errorf("encode finding: %w", err)
		}
		return nil
	}}
}

// EventTime formats an event's timestamp (unix ns) as RFC 3339 in UTC.
func EventTime(ev *pb.Event) string {
	if ev == nil {
		return "-"
	}
	return time.Unix(0, ev.GetTimestamp()).UTC().Format(time.RFC3339Nano)
}

// FormatData renders finding data as "key=value, ..." sorted by key.
func FormatData(data map[string]any) string {
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s=%v", k, data[k])
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func renderLine(w io.Writer, f sdk.Finding) error {
	ev := f.Event
	_, err := fmt.Fprintf(w, "*** Detection *** Time: %s Signature ID: %s Signature: %s Severity: %d Event: %s Command: %s PID: %d (host %d) UID: %d Container: %s Hostname: %s Data: %s\n",
		EventTime(ev), f.SigMetadata.ID, f.SigMetadata.Name, f.SigMetadata.Severity, orDash(ev.GetEventName()),
		orDash(ev.GetProcessName()), ev.GetProcessId(), ev.GetHostProcessId(), ev.GetUserId(),
		ContainerText(ev), orDash(ev.GetHostName()), FormatData(f.Data))
	return err
}

// ContainerText is the event's container for a readable line: "-" on the
// host, else the id followed by what the runtime said (name, image, pod).
func ContainerText(ev *pb.Event) string {
	id := ev.GetContainerId()
	if id == "" && ev.GetContainerName() == "" {
		return "-"
	}
	parts := []string{orDash(id)}
	if n := ev.GetContainerName(); n != "" {
		parts = append(parts, "name="+n)
	}
	if i := ev.GetContainerImage(); i != "" {
		parts = append(parts, "image="+i)
	}
	if p := ev.GetPodName(); p != "" {
		parts = append(parts, "pod="+ev.GetPodNamespace()+"/"+p)
	}
	return strings.Join(parts, " ")
}
