package obs

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

func canaryEvent(name string, args [5]uint64) *pb.Event {
	ev := &pb.Event{EventName: name}
	for i, n := range []string{"option", "arg2", "arg3", "arg4", "arg5"} {
		a := &pb.Argument{Name: n}
		if i == 0 {
			a.Value = &pb.Argument_Int{Int: int64(int32(args[i]))}
		} else {
			a.Value = &pb.Argument_Uint{Uint: args[i]}
		}
		ev.Args = append(ev.Args, a)
	}
	return ev
}

func TestIsCanary(t *testing.T) {
	sent := time.Unix(1700000000, 123)
	if got, ok := IsCanary(canaryEvent("prctl", CanaryArgs(7, sent, 42))); !ok || got != (Marker{Sent: sent, Seq: 7, Nonce: 42}) {
		t.Errorf("marker not recognised: %+v %v", got, ok)
	}
	for name, ev := range map[string]*pb.Event{
		"other event":  canaryEvent("arch_prctl", CanaryArgs(1, sent, 0)),
		"other option": canaryEvent("prctl", [5]uint64{15 /* PR_SET_NAME */, CanaryMagic, 1, 1, 0}),
		"other magic":  canaryEvent("prctl", [5]uint64{CanaryOption, 0x1234, 1, 1, 0}),
		"no args":      {EventName: "prctl"},
		"nil":          nil,
	} {
		if _, ok := IsCanary(ev); ok {
			t.Errorf("%s: taken for the marker", name)
		}
	}
}

func TestCanaryCheck(t *testing.T) {
	start := time.Unix(1000, 0)
	c := NewCanary(5*time.Second, 20*time.Second, start)
	at := func(s float64) time.Time { return start.Add(time.Duration(s * float64(time.Second))) }

	if err := c.Check(at(19)); err != nil {
		t.Errorf("within the start grace: %v", err)
	}
	if err := c.Check(at(21)); err == nil || !strings.Contains(err.Error(), "no detection canary") {
		t.Errorf("no marker after the grace: %v", err)
	}
	c.Observe(canaryEvent("prctl", CanaryArgs(1, at(22), 0)))
	if err := c.Check(at(23)); err != nil {
		t.Errorf("fresh marker: %v", err)
	}
	if err := c.Check(at(27.5)); err == nil || !strings.Contains(err.Error(), "more than 5s") {
		t.Errorf("stale marker: %v", err)
	}
	// A marker that arrives late (a backlog drained) is judged by when it
	// was sent, not when it arrived.
	c.Observe(canaryEvent("prctl", CanaryArgs(2, at(21), 0)))
	if got := c.Last(); !got.Equal(at(22)) {
		t.Errorf("an older marker moved Last back to %v", got)
	}
	if err := c.Check(at(30)); err == nil {
		t.Error("old marker counts as fresh")
	}
	c.Observe(canaryEvent("prctl", CanaryArgs(3, at(29), 0)))
	if err := c.Check(at(30)); err != nil {
		t.Errorf("recovered: %v", err)
	}
	c.Observe(canaryEvent("openat", CanaryArgs(4, at(40), 0)))
	if got := c.Last(); !got.Equal(at(29)) {
		t.Errorf("a non-marker event moved Last to %v", got)
	}
}

// A canary that knows its nonce counts only its own markers.
func TestCanaryNonce(t *testing.T) {
	now := time.Now()
	c := NewCanary(time.Minute, time.Minute, now).OnlyNonce(7)
	other := canaryEvent("prctl", CanaryArgs(1, now, 8))
	if !c.Foreign(other) {
		t.Error("another run's marker is not foreign")
	}
	c.Observe(other)
	if !c.Last().IsZero() || c.foreign.Load() != 1 {
		t.Errorf("foreign marker counted: last %v, foreign %d", c.Last(), c.foreign.Load())
	}
	own := canaryEvent("prctl", CanaryArgs(2, now, 7))
	if c.Foreign(own) || c.Foreign(&pb.Event{EventName: "openat"}) {
		t.Error("own marker or another event taken for foreign")
	}
	c.Observe(own)
	if !c.Last().Equal(time.Unix(0, now.UnixNano())) {
		t.Errorf("own marker not counted: last %v", c.Last())
	}
	// without a nonce (tracee-rules: its producer passes on only its own)
	if NewCanary(time.Minute, time.Minute, now).Foreign(other) {
		t.Error("a canary without a nonce calls markers foreign")
	}
}

func TestCanaryMetrics(t *testing.T) {
	c := NewCanary(time.Minute, time.Minute, time.Now())
	reg := prometheus.NewRegistry()
	reg.MustRegister(c.Collector("tracee_detection"))
	if v := metricValue(t, reg, "tracee_detection_alive"); v != 1 {
		t.Errorf("alive during the grace = %v", v)
	}
	sent := time.Now().Add(-2 * time.Minute)
	c.Seen(sent)
	if v := metricValue(t, reg, "tracee_detection_alive"); v != 0 {
		t.Errorf("alive with a stale marker = %v", v)
	}
	if v := metricValue(t, reg, "tracee_detection_last_canary_timestamp_seconds"); int64(v) != sent.Unix() {
		t.Errorf("last canary %v, want %v", v, sent.Unix())
	}
	if v := metricValue(t, reg, "tracee_detection_canaries_total"); v != 1 {
		t.Errorf("canaries %v", v)
	}
}

// metricValue returns the value of the one metric called name in reg.
func metricValue(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name {
			m := mf.GetMetric()[0]
			if m.GetCounter() != nil {
				return m.GetCounter().GetValue()
			}
			return m.GetGauge().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}

func TestHealthz(t *testing.T) {
	h := NewHealth()
	var fail error
	h.Add("ring", func(time.Time) error { return nil })
	h.Add("detection", func(time.Time) error { return fail })
	srv, err := Start(ServerConfig{MetricsAddr: "127.0.0.1:0", Health: h}, prometheus.NewRegistry(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close(context.Background())
	url := "http://" + srv.Addrs()[0] + "/healthz"
	body := get(t, url, 200)
	if !strings.Contains(body, "detection: ok") || !strings.Contains(body, "ring: ok") {
		t.Errorf("healthy body %q", body)
	}
	fail = errors.New("canary late")
	body = get(t, url, 503)
	if !strings.Contains(body, "detection: canary late") || !strings.Contains(body, "ring: ok") {
		t.Errorf("unhealthy body %q", body)
	}

	// Without checks /healthz says the process serves.
	srv2, err := Start(ServerConfig{MetricsAddr: "127.0.0.1:0"}, prometheus.NewRegistry(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer srv2.Close(context.Background())
	get(t, "http://"+srv2.Addrs()[0]+"/healthz", 200)
}
