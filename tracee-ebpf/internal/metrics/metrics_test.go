package metrics

import (
	"context"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

var names = map[int32]string{257: "openat", 1003: "sched_process_exec"}

func lookup(id int32) string { return names[id] }

func TestCounters(t *testing.T) {
	m := New(lookup)
	for range 3 {
		m.RecordRead()
	}
	m.EventDecoded(257)
	m.EventDecoded(257)
	m.EventDecoded(1003)
	m.EventDecoded(5000) // beyond the dense table, no name
	m.EventDecoded(-2)
	m.DecodeError()
	m.KernelLost(7)
	m.FailedReads(2)
	m.UserspaceDropped(4)
	m.EventFiltered()
	m.EventWritten()

	got := m.Snapshot()
	want := Snapshot{
		RecordsRead: 3, EventsDecoded: 5, DecodeErrors: 1, KernelLost: 7, FailedReads: 2,
		UserspaceDropped: 4, EventsFiltered: 1, EventsWritten: 1,
	}
	perEvent := got.PerEvent
	got.PerEvent = nil
	if !reflect.DeepEqual(got, want) {
		t.Errorf("snapshot %+v, want %+v", got, want)
	}
	wantPer := map[int32]uint64{257: 2, 1003: 1, 5000: 1, -2: 1}
	if len(perEvent) != len(wantPer) {
		t.Errorf("per event %v, want %v", perEvent, wantPer)
	}
	for id, n := range wantPer {
		if perEvent[id] != n {
			t.Errorf("per event %v, want %v", perEvent, wantPer)
		}
	}

	text := scrape(t, m)
	for _, line := range []string{
		"tracee_ebpf_records_read_total 3",
		"tracee_ebpf_events_decoded_total 5",
		"tracee_ebpf_decode_errors_total 1",
		`tracee_ebpf_events_lost_total{where="kernel"} 7`,
		`tracee_ebpf_events_lost_total{where="userspace"} 4`,
		"tracee_ebpf_failed_reads_total 2",
		"tracee_ebpf_events_filtered_total 1",
		"tracee_ebpf_events_written_total 1",
		`tracee_ebpf_events_total{event="openat"} 2`,
		`tracee_ebpf_events_total{event="sched_process_exec"} 1`,
		`tracee_ebpf_events_total{event="5000"} 1`,
		`tracee_ebpf_events_total{event="-2"} 1`,
		"go_goroutines ",
	} {
		if !strings.Contains(text, "\n"+line) {
			t.Errorf("no %q in /metrics", line)
		}
	}
}

func TestNilMetrics(t *testing.T) {
	var m *Metrics
	m.RecordRead()
	m.EventDecoded(1)
	m.DecodeError()
	m.KernelLost(1)
	m.FailedReads(1)
	m.UserspaceDropped(1)
	m.EventFiltered()
	m.EventWritten()
	if s := m.Snapshot(); s.EventsDecoded != 0 {
		t.Errorf("nil snapshot %+v", s)
	}
}

// scrape serves m on a local port and returns the /metrics text.
func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	srv, err := Start(ServerConfig{MetricsAddr: "127.0.0.1:0", Pprof: true}, m.Registry, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close(context.Background())
	body := get(t, "http://"+srv.Addrs()[0]+"/metrics", http.StatusOK)
	get(t, "http://"+srv.Addrs()[0]+"/debug/pprof/cmdline", http.StatusOK)
	return "\n" + body
}

func get(t *testing.T, url string, want int) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("GET %s: %d, want %d", url, resp.StatusCode, want)
	}
	return string(b)
}

func BenchmarkEventDecoded(b *testing.B) {
	m := New(lookup)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.EventDecoded(257)
		}
	})
}
