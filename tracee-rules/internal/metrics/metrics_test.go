package metrics

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-rules/internal/webhook"
	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
)

type fakeWebhook struct{ st webhook.Stats }

func (f fakeWebhook) Stats() webhook.Stats { return f.st }

func TestMetrics(t *testing.T) {
	m := New()
	for range 4 {
		m.FrameRead()
	}
	m.EventDecoded(&pb.Event{EventId: 257, EventName: "openat"})
	m.EventDecoded(&pb.Event{EventId: 257, EventName: "openat"})
	m.EventDecoded(&pb.Event{EventId: 1003, EventName: "sched_process_exec"})
	m.EventDecoded(&pb.Event{EventId: 9999, EventName: "far"}) // beyond the table: by id
	m.DecodeError()
	m.Lost(&pb.Lost{KernelEvents: 5, KernelEventsTotal: 5, FailedReads: 2, DroppedUserspace: 1})
	m.Lost(&pb.Lost{KernelEvents: 1, KernelEventsTotal: 6})
	m.Finding(sdk.Metadata{ID: "TRC-2", Name: "Anti-Debugging", Severity: 3})
	m.Finding(sdk.Metadata{ID: "TRC-2", Name: "Anti-Debugging", Severity: 3})
	m.Finding(sdk.Metadata{ID: "TRC-7", Name: "LD_PRELOAD", Severity: 2})
	if err := m.RegisterWebhook(fakeWebhook{webhook.Stats{Sent: 9, Retried: 3, Spooled: 4, Replayed: 4, Rejected: 1, Dropped: 0, RenderErrors: 2, Queued: 5, Spooling: true}}); err != nil {
		t.Fatal(err)
	}

	srv, err := Start(ServerConfig{MetricsAddr: "127.0.0.1:0", PprofAddr: "127.0.0.1:0"}, m.Registry, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close(context.Background())
	text := "\n" + get(t, "http://"+srv.Addrs()[0]+"/metrics")
	get(t, "http://"+srv.Addrs()[1]+"/debug/pprof/cmdline")

	for _, line := range []string{
		"tracee_rules_frames_read_total 4",
		"tracee_rules_events_decoded_total 4",
		"tracee_rules_decode_errors_total 1",
		`tracee_rules_events_lost_total{where="kernel"} 6`,
		`tracee_rules_events_lost_total{where="userspace"} 1`,
		"tracee_rules_failed_reads_total 2",
		`tracee_rules_events_total{event="openat"} 2`,
		`tracee_rules_events_total{event="sched_process_exec"} 1`,
		`tracee_rules_events_total{event="9999"} 1`,
		`tracee_rules_findings_total{severity="3",signature_id="TRC-2",signature_name="Anti-Debugging"} 2`,
		`tracee_rules_findings_total{severity="2",signature_id="TRC-7",signature_name="LD_PRELOAD"} 1`,
		`tracee_rules_webhook_payloads_total{outcome="sent"} 9`,
		`tracee_rules_webhook_payloads_total{outcome="retried"} 3`,
		`tracee_rules_webhook_payloads_total{outcome="spooled"} 4`,
		`tracee_rules_webhook_payloads_total{outcome="replayed"} 4`,
		`tracee_rules_webhook_payloads_total{outcome="rejected"} 1`,
		`tracee_rules_webhook_payloads_total{outcome="dropped"} 0`,
		`tracee_rules_webhook_payloads_total{outcome="render_error"} 2`,
		"tracee_rules_webhook_queue_length 5",
		"tracee_rules_webhook_spooling 1",
		"process_start_time_seconds ",
	} {
		if !strings.Contains(text, "\n"+line) {
			t.Errorf("no %q in /metrics", line)
		}
	}
}

func TestNilMetrics(t *testing.T) {
	var m *Metrics
	m.FrameRead()
	m.EventDecoded(&pb.Event{})
	m.DecodeError()
	m.Lost(&pb.Lost{KernelEvents: 1})
	m.Finding(sdk.Metadata{})
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	return string(b)
}

func BenchmarkEventDecoded(b *testing.B) {
	m := New()
	ev := &pb.Event{EventId: 257, EventName: "openat"}
	for b.Loop() {
		m.EventDecoded(ev)
	}
}
