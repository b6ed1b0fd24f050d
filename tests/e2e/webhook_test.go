package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Findings delivery to falcosidekick, through the real binaries: tracee-ebpf
// traces real attacks, tracee-rules posts its findings to a receiver that
// validates them as falcosidekick does, and the receiver's outages are
// bridged by tracee-rules' retries and disk spool, across restarts.

// webhookTimeout bounds how long a test waits for payloads to arrive
// (replay backoff after an outage grows to several seconds).
const webhookTimeout = 45 * time.Second

// clockSlack allows for tracee-ebpf's conversion of kernel boot-relative
// times to wall-clock time (measured once at its start; NTP may slew the
// clock since) when an event time is compared with the test's clock.
const clockSlack = time.Millisecond

// falcoPriority is docs/falcosidekick.md's severity to priority table.
var falcoPriority = map[int]string{0: "Informational", 1: "Notice", 2: "Warning", 3: "Error", 4: "Critical"}

// webhookArgs are tracee-rules' arguments to post to r as falcosidekick
// alerts with the spool under install.
func webhookArgs(r *sidekickReceiver, install string) []string {
	return []string{"--webhook", r.URL(), "--webhook-format", "falcosidekick", "--install-path", install}
}

// freeAddr returns a 127.0.0.1 address with a port nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// scrapeMetrics reads tracee-rules' Prometheus text: series (name with
// labels) to value.
func scrapeMetrics(addr string) (map[string]float64, error) {
	c := http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get("http://" + addr + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /metrics: %s", resp.Status)
	}
	m := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			return nil, fmt.Errorf("metrics line %q: %w", line, err)
		}
		m[line[:i]] = v
	}
	return m, sc.Err()
}

// webhookStats is the webhook part of tracee-rules' metrics.
type webhookStats struct {
	Sent, Retried, Spooled, Replayed, Rejected, Dropped, RenderErrors, Queue, Spooling int
}

func readWebhookStats(addr string) (webhookStats, error) {
	m, err := scrapeMetrics(addr)
	if err != nil {
		return webhookStats{}, err
	}
	var s webhookStats
	for _, f := range []struct {
		series string
		dst    *int
	}{
		{`tracee_rules_webhook_payloads_total{outcome="sent"}`, &s.Sent},
		{`tracee_rules_webhook_payloads_total{outcome="retried"}`, &s.Retried},
		{`tracee_rules_webhook_payloads_total{outcome="spooled"}`, &s.Spooled},
		{`tracee_rules_webhook_payloads_total{outcome="replayed"}`, &s.Replayed},
		{`tracee_rules_webhook_payloads_total{outcome="rejected"}`, &s.Rejected},
		{`tracee_rules_webhook_payloads_total{outcome="dropped"}`, &s.Dropped},
		{`tracee_rules_webhook_payloads_total{outcome="render_error"}`, &s.RenderErrors},
		{`tracee_rules_webhook_queue_length`, &s.Queue},
		{`tracee_rules_webhook_spooling`, &s.Spooling},
	} {
		v, ok := m[f.series]
		if !ok {
			return s, fmt.Errorf("metrics have no %s", f.series)
		}
		*f.dst = int(v)
	}
	return s, nil
}

// waitWebhookStats polls the metrics until done holds for them.
func waitWebhookStats(t *testing.T, addr string, timeout time.Duration, what string, done func(webhookStats) bool) webhookStats {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		s, err := readWebhookStats(addr)
		if err == nil && done(s) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("metrics never showed %s within %v: last %+v (err %v)", what, timeout, s, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// fieldStr is an output field as text (json.Number as its digits).
func fieldStr(p sidekickPayload, key string) string {
	v, ok := p.OutputFields[key]
	if !ok || v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// payloadsOf returns the accepted payloads of rule for host pid.
func payloadsOf(rs []received, rule string, pid int) []received {
	var out []received
	for _, r := range rs {
		if (rule == "" || r.Payload.Rule == rule) && fieldStr(r.Payload, "proc.pid") == strconv.Itoa(pid) {
			out = append(out, r)
		}
	}
	return out
}

// stdoutFinding is what the webhook payload is compared with: the same
// finding as tracee-rules printed it (format:json).
type stdoutFinding struct {
	SignatureMetadata struct {
		ID             string `json:"id"`
		Name           string `json:"name"`
		Description    string `json:"description"`
		Severity       int    `json:"severity"`
		MitreCategory  string `json:"mitreCategory"`
		MitreTechnique string `json:"mitreTechnique"`
	} `json:"signatureMetadata"`
	Event struct {
		Timestamp     int64  `json:"timestamp"`
		HostProcessID int    `json:"hostProcessId"`
		EventName     string `json:"eventName"`
	} `json:"event"`
}

func stdoutFindings(t *testing.T, p *Pipeline) []stdoutFinding {
	t.Helper()
	p.mu.Lock()
	raw := p.raw.String()
	p.mu.Unlock()
	var out []stdoutFinding
	for _, line := range strings.Split(strings.TrimSpace(raw), "\n") {
		var f stdoutFinding
		if line != "" && json.Unmarshal([]byte(line), &f) == nil {
			out = append(out, f)
		}
	}
	return out
}

// nineDigitUTC is the documented form of a payload's time.
var nineDigitUTC = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$`)

// falcoOutput is Falco's alert line: "HH:MM:SS.nnnnnnnnn: <Priority> <message>".
var falcoOutput = regexp.MustCompile(`^(\d\d:\d\d:\d\d\.\d{9}): (\S+) (.+)$`)

// techniqueIDOf is the ATT&CK id at the start of a technique ("T1622").
var techniqueIDOf = regexp.MustCompile(`^T\d{4}(\.\d{3})?`)

// TestWebhookFalcosidekickRealAttack: real anti-debugging and module-loading
// attempts reach falcosidekick as valid Falco alerts that carry the
// triggering event's time, the culprit and the signature's MITRE data.
func TestWebhookFalcosidekickRealAttack(t *testing.T) {
	requirePrivileged(t)
	r := newSidekickReceiver(t, modeOK)
	p := StartPipeline(t, PipelineOptions{
		Rules:     []string{"TRC-2", "TRC-6"},
		RulesArgs: webhookArgs(r, t.TempDir()),
	})
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}

	type window struct{ from, to time.Time }
	adFrom := time.Now()
	adPid, _ := runTriggerPid(t, "anti_debug")
	adWin := window{adFrom, time.Now()}
	kmFrom := time.Now()
	kmPid, _ := runTriggerPid(t, "kmod")
	kmWin := window{kmFrom, time.Now()}

	wants := []struct {
		id, rule, priority, event, comm string
		pid                             int
		win                             window
		tactic, technique               string
	}{
		{"TRC-2", "Anti-Debugging", "Error", "ptrace", "anti_debug", adPid, adWin, "Defense Evasion", "T1622 Debugger Evasion"},
		{"TRC-6", "Kernel Module Loading", "Warning", "init_module", "kmod", kmPid, kmWin, "Persistence", "T1547.006 Boot or Logon Autostart Execution: Kernel Modules and Extensions"},
		{"TRC-6", "Kernel Module Loading", "Warning", "finit_module", "kmod", kmPid, kmWin, "Persistence", "T1547.006 Boot or Logon Autostart Execution: Kernel Modules and Extensions"},
	}
	match := func(rs []received, rule string, pid int, event string) []received {
		var out []received
		for _, x := range payloadsOf(rs, rule, pid) {
			if fieldStr(x.Payload, "evt.type") == event {
				out = append(out, x)
			}
		}
		return out
	}
	got, ok := r.WaitAccepted(webhookTimeout, func(rs []received) bool {
		for _, w := range wants {
			if len(match(rs, w.rule, w.pid, w.event)) == 0 {
				return false
			}
		}
		return true
	})
	if !ok {
		t.Fatalf("receiver did not get every alert; accepted %d, refused %q\n%s", len(got), r.Invalid(), p.Diagnostics())
	}
	p.Stop()
	got = r.Accepted()
	if inv := r.Invalid(); len(inv) > 0 {
		t.Errorf("falcosidekick would refuse %d payloads:\n%s", len(inv), strings.Join(inv, "\n"))
	}
	printed := stdoutFindings(t, p)

	for _, w := range wants {
		t.Run(w.id+"/"+w.event, func(t *testing.T) {
			ms := match(got, w.rule, w.pid, w.event)
			if len(ms) != 1 {
				t.Fatalf("%d payloads for %s %s pid %d, want 1", len(ms), w.rule, w.event, w.pid)
			}
			x := ms[0]
			pl := x.Payload
			var raw map[string]any
			if err := json.Unmarshal(x.Body, &raw); err != nil {
				t.Fatal(err)
			}
			t.Logf("payload: %s", x.Body)

			// the same finding as printed on stdout
			var sf *stdoutFinding
			for i, f := range printed {
				if f.SignatureMetadata.ID == w.id && f.Event.HostProcessID == w.pid && f.Event.EventName == w.event {
					sf = &printed[i]
				}
			}
			if sf == nil {
				t.Fatalf("no %s %s finding for pid %d on stdout", w.id, w.event, w.pid)
			}

			if x.ContentType != "application/json" {
				t.Errorf("Content-Type %q", x.ContentType)
			}
			if pl.Rule != w.rule || pl.Rule != sf.SignatureMetadata.Name {
				t.Errorf("rule %q, want %q (stdout: %q)", pl.Rule, w.rule, sf.SignatureMetadata.Name)
			}
			if raw["priority"] != w.priority || falcoPriority[sf.SignatureMetadata.Severity] != w.priority {
				t.Errorf("priority %v, want %s (severity %d)", raw["priority"], w.priority, sf.SignatureMetadata.Severity)
			}

			// time: the triggering event's, inside the trigger's run
			ts, _ := raw["time"].(string)
			if !nineDigitUTC.MatchString(ts) {
				t.Errorf("time %q is not RFC 3339 UTC with nine fraction digits", ts)
			}
			evNs := pl.Time.UnixNano()
			if evNs != sf.Event.Timestamp {
				t.Errorf("time %s (%d), stdout event timestamp %d", ts, evNs, sf.Event.Timestamp)
			}
			if fieldStr(pl, "evt.time") != strconv.FormatInt(evNs, 10) {
				t.Errorf("evt.time %s, time %d", fieldStr(pl, "evt.time"), evNs)
			}
			if pl.Time.Before(w.win.from.Add(-clockSlack)) || pl.Time.After(w.win.to.Add(clockSlack)) {
				t.Errorf("time %s outside the trigger's run [%s, %s]", pl.Time.Format(time.RFC3339Nano),
					w.win.from.UTC().Format(time.RFC3339Nano), w.win.to.UTC().Format(time.RFC3339Nano))
			}
			if !x.At.After(w.win.from) {
				t.Errorf("received at %s, before the trigger ran", x.At)
			}
			t.Logf("event at %s, trigger ran %s .. %s, received %s after the event",
				pl.Time.Format(time.RFC3339Nano), w.win.from.UTC().Format("15:04:05.000000"),
				w.win.to.UTC().Format("15:04:05.000000"), x.At.Sub(pl.Time))

			for key, want := range map[string]string{
				"proc.pid":        strconv.Itoa(w.pid),
				"proc.name":       w.comm,
				"evt.type":        w.event,
				"sig.id":          w.id,
				"sig.name":        w.rule,
				"mitre.tactic":    w.tactic,
				"mitre.technique": w.technique,
				"container.id":    "host",
			} {
				if got := fieldStr(pl, key); got != want {
					t.Errorf("output_fields[%q] = %q, want %q", key, got, want)
				}
			}
			for k, v := range pl.OutputFields {
				switch v.(type) {
				case string, json.Number, bool:
				default:
					t.Errorf("output_fields[%q] is %T, want a flat string, number or bool", k, v)
				}
			}
			if pl.Source != "tracee" {
				t.Errorf("source %q, want tracee", pl.Source)
			}
			if pl.Hostname == "" || pl.Hostname != host {
				t.Errorf("hostname %q, want %q", pl.Hostname, host)
			}

			if !sort.StringsAreSorted(pl.Tags) || len(slices.Compact(slices.Clone(pl.Tags))) != len(pl.Tags) {
				t.Errorf("tags %q not sorted or duplicated", pl.Tags)
			}
			for _, tag := range []string{w.tactic, w.technique, techniqueIDOf.FindString(w.technique)} {
				if !slices.Contains(pl.Tags, tag) {
					t.Errorf("tags %q lack %q", pl.Tags, tag)
				}
			}

			m := falcoOutput.FindStringSubmatch(pl.Output)
			if m == nil {
				t.Fatalf("output %q is not \"HH:MM:SS.nnnnnnnnn: <Priority> <message>\"", pl.Output)
			}
			if want := pl.Time.UTC().Format("15:04:05.000000000"); m[1] != want {
				t.Errorf("output time %s, want the event's %s", m[1], want)
			}
			if m[2] != w.priority {
				t.Errorf("output priority %q, want %q", m[2], w.priority)
			}
			if prefix := w.rule + ": " + sf.SignatureMetadata.Description; !strings.HasPrefix(m[3], prefix) {
				t.Errorf("output message %q does not start with %q", m[3], prefix)
			}
			for _, kv := range []string{"evt.type=" + w.event, "proc.name=" + w.comm, "proc.pid=" + strconv.Itoa(w.pid)} {
				if !strings.Contains(m[3], kv) {
					t.Errorf("output message %q lacks %s", m[3], kv)
				}
			}
		})
	}
}

// TestWebhookReceiverOutage: the receiver refuses connections, then answers
// 500, then recovers; every finding made during the outage arrives after
// it, once and in order, and the metrics account for the retries and the
// spool.
func TestWebhookReceiverOutage(t *testing.T) {
	requirePrivileged(t)
	r := newSidekickReceiver(t, modeDown)
	maddr := freeAddr(t)
	p := StartPipeline(t, PipelineOptions{
		Rules:     []string{"TRC-2"},
		RulesArgs: append(webhookArgs(r, t.TempDir()), "--metrics-addr", maddr),
	})

	const perPhase = 3
	var pids []int
	trigger := func() {
		pid, _ := runTriggerPid(t, "anti_debug")
		mustFind(t, p, fmt.Sprintf("anti_debug pid %d", pid), bySigPid("TRC-2", pid))
		pids = append(pids, pid)
	}

	// down: connections refused; after its attempts tracee-rules spools
	for range perPhase {
		trigger()
	}
	st := waitWebhookStats(t, maddr, 20*time.Second, "spooling while the receiver is down",
		func(s webhookStats) bool { return s.Spooling == 1 && s.Spooled == perPhase })
	t.Logf("receiver down: %+v", st)
	if st.Sent != 0 || len(r.Accepted()) != 0 {
		t.Fatalf("sent %d / accepted %d while the receiver was down", st.Sent, len(r.Accepted()))
	}

	// 500: answers, but fails every request
	r.setMode(modeFail)
	for range perPhase {
		trigger()
	}
	deadline := time.Now().Add(20 * time.Second)
	for r.Failed() < 2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if r.Failed() < 2 {
		t.Fatalf("receiver answered 500 %d times, want tracee-rules to retry at least twice", r.Failed())
	}
	st = waitWebhookStats(t, maddr, 10*time.Second, "every finding of the outage spooled",
		func(s webhookStats) bool { return s.Spooled == 2*perPhase })
	t.Logf("receiver failing: %+v after %d answers 500", st, r.Failed())
	if st.Sent != 0 || st.Spooling != 1 {
		t.Errorf("during the 500s: %+v, want nothing sent and the spool in use", st)
	}

	// recovery
	r.setMode(modeOK)
	failed := r.Failed()
	got, ok := r.WaitAccepted(webhookTimeout, func(rs []received) bool {
		for _, pid := range pids {
			if len(payloadsOf(rs, "Anti-Debugging", pid)) == 0 {
				return false
			}
		}
		return true
	})
	if !ok {
		t.Fatalf("after recovery the receiver got %d of %d alerts; refused %q\n%s", len(got), len(pids), r.Invalid(), p.Diagnostics())
	}
	st = waitWebhookStats(t, maddr, 10*time.Second, "the spool replayed",
		func(s webhookStats) bool { return s.Spooling == 0 && s.Replayed == len(pids) })
	t.Logf("recovered: %+v; receiver accepted %d, answered 500 %d times", st, len(got), failed)

	// one more finding now goes out directly
	trigger()
	got, ok = r.WaitAccepted(webhookTimeout, func(rs []received) bool {
		return len(payloadsOf(rs, "Anti-Debugging", pids[len(pids)-1])) > 0
	})
	if !ok {
		t.Fatalf("finding after recovery not delivered\n%s", p.Diagnostics())
	}
	final, err := readWebhookStats(maddr)
	if err != nil {
		t.Fatal(err)
	}
	p.Stop()
	got = r.Accepted()

	// every finding once, in the order the attacks ran
	var order []int
	for _, x := range got {
		pid, _ := strconv.Atoi(fieldStr(x.Payload, "proc.pid"))
		order = append(order, pid)
	}
	if !slices.Equal(order, pids) {
		t.Errorf("alerts arrived for pids %v, want each of %v once, in order", order, pids)
	}
	if inv := r.Invalid(); len(inv) > 0 {
		t.Errorf("falcosidekick would refuse %d payloads:\n%s", len(inv), strings.Join(inv, "\n"))
	}

	// the metrics agree with what the receiver saw
	outage := 2 * perPhase
	for _, c := range []struct {
		what      string
		got, want int
	}{
		{"spooled", final.Spooled, outage},
		{"replayed", final.Replayed, outage},
		{"sent", final.Sent, len(pids)},
		{"rejected", final.Rejected, 0},
		{"dropped", final.Dropped, 0},
		{"render_error", final.RenderErrors, 0},
		{"queue_length", final.Queue, 0},
		{"spooling", final.Spooling, 0},
	} {
		if c.got != c.want {
			t.Errorf("metric %s = %d, want %d", c.what, c.got, c.want)
		}
	}
	// The first payload was attempted 5 times (4 retries) before the spool,
	// and every 500 came from a replay attempt, each of which is retried.
	if least := 4 + failed; final.Retried < least {
		t.Errorf("metric retried = %d, want at least %d (4 direct retries + %d answers 500)", final.Retried, least, failed)
	}
	if final.Sent != len(got) {
		t.Errorf("metric sent = %d, receiver accepted %d", final.Sent, len(got))
	}
	p.mu.Lock()
	stderr := p.rulesErr.String()
	p.mu.Unlock()
	for _, want := range []string{"spooling findings to disk", "webhook spool replayed"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("tracee-rules stderr lacks %q:\n%s", want, stderr)
		}
	}
}

// spoolRecords reads the spool's segments in order: each record's content
// type and body.
func spoolRecords(t *testing.T, dir string) (segments []string, cts []string, bodies [][]byte) {
	t.Helper()
	segments, err := filepath.Glob(filepath.Join(dir, "*.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(segments) // zero-padded sequence numbers
	for _, seg := range segments {
		b, err := os.ReadFile(seg)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range bytes.Split(b, []byte("\n")) {
			if len(line) == 0 {
				continue
			}
			var rec struct {
				CT   string `json:"ct"`
				Body string `json:"body"`
				B64  []byte `json:"body_b64"`
			}
			if err := json.Unmarshal(line, &rec); err != nil {
				t.Fatalf("spool %s: line %q: %v", seg, line, err)
			}
			body := []byte(rec.Body)
			if rec.B64 != nil {
				body = rec.B64
			}
			cts = append(cts, rec.CT)
			bodies = append(bodies, body)
		}
	}
	return segments, cts, bodies
}

// spoolWhileDown runs the pipeline with the receiver down, makes three
// anti-debugging findings, stops tracee-rules with SIGTERM and checks that
// their alerts are in the spool under install, in order. It returns the
// spooled bodies.
func spoolWhileDown(t *testing.T, r *sidekickReceiver, install string) [][]byte {
	t.Helper()
	spoolDir := filepath.Join(install, "spool", "webhook")
	p := StartPipeline(t, PipelineOptions{Rules: []string{"TRC-2"}, RulesArgs: webhookArgs(r, install)})
	var pids []int
	for range 3 {
		pid, _ := runTriggerPid(t, "anti_debug")
		mustFind(t, p, fmt.Sprintf("anti_debug pid %d", pid), bySigPid("TRC-2", pid))
		pids = append(pids, pid)
	}
	if err := p.rules.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	termAt := time.Now()
	if !waitTimeout(p.rules, 30*time.Second) {
		t.Fatalf("tracee-rules did not exit within 30s of SIGTERM\n%s", p.Diagnostics())
	}
	t.Logf("tracee-rules exited (%v) %v after SIGTERM", p.rules.ProcessState, time.Since(termAt).Round(time.Millisecond))
	if !p.rules.ProcessState.Success() {
		t.Errorf("tracee-rules exit after SIGTERM: %v\n%s", p.rules.ProcessState, p.Diagnostics())
	}
	p.Stop()

	segs, cts, bodies := spoolRecords(t, spoolDir)
	if len(segs) == 0 {
		t.Fatalf("no spool segments in %s after SIGTERM\n%s", spoolDir, p.Diagnostics())
	}
	var spooledPids []int
	for i, b := range bodies {
		pl, err := validateSidekick(b)
		if err != nil {
			t.Errorf("spooled payload %d would be refused: %v: %s", i, err, b)
			continue
		}
		if cts[i] != "application/json" {
			t.Errorf("spooled payload %d content type %q", i, cts[i])
		}
		pid, _ := strconv.Atoi(fieldStr(pl, "proc.pid"))
		spooledPids = append(spooledPids, pid)
	}
	t.Logf("spool after SIGTERM: %d segments, %d records for pids %v", len(segs), len(bodies), spooledPids)
	if !slices.Equal(spooledPids, pids) {
		t.Fatalf("spool holds alerts for pids %v, want %v in order", spooledPids, pids)
	}
	if len(r.Accepted()) != 0 {
		t.Fatalf("receiver was down but accepted %d payloads", len(r.Accepted()))
	}
	return bodies
}

// checkReplayed asserts that the receiver got exactly the spooled bodies,
// byte for byte and in order, and that the spool directory is empty.
func checkReplayed(t *testing.T, r *sidekickReceiver, install string, bodies [][]byte) {
	t.Helper()
	got := r.Accepted()
	if len(got) != len(bodies) {
		t.Errorf("receiver accepted %d payloads, want the %d spooled ones once", len(got), len(bodies))
	}
	for i := range min(len(got), len(bodies)) {
		if !bytes.Equal(got[i].Body, bodies[i]) {
			t.Errorf("payload %d delivered\n  %s\nwant the spooled\n  %s", i, got[i].Body, bodies[i])
		}
	}
	if inv := r.Invalid(); len(inv) > 0 {
		t.Errorf("falcosidekick would refuse %d payloads:\n%s", len(inv), strings.Join(inv, "\n"))
	}
	ents, err := os.ReadDir(filepath.Join(install, "spool", "webhook"))
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, e := range ents {
		left = append(left, e.Name())
	}
	if len(left) != 0 {
		t.Errorf("spool directory not empty after the replay: %v", left)
	}
}

// restartArgs are the arguments of the tracee-rules that replays the spool.
func restartArgs(r *sidekickReceiver, install string, more ...string) []string {
	return append(append([]string{"--input-tracee", "format:protobuf", "--output", "format:json", "--rules", "TRC-2"},
		webhookArgs(r, install)...), more...)
}

// TestWebhookSpoolSurvivesRestart: findings made while the receiver is down
// are spooled when tracee-rules is stopped with SIGTERM, and the next
// tracee-rules with the same --install-path delivers them, in order, and
// empties the spool: at start while it runs, or on the way out when its
// input is empty (which is then reported: exit status 1).
func TestWebhookSpoolSurvivesRestart(t *testing.T) {
	requirePrivileged(t)

	t.Run("running", func(t *testing.T) {
		r := newSidekickReceiver(t, modeDown)
		install := t.TempDir()
		bodies := spoolWhileDown(t, r, install)

		// receiver up; tracee-rules with the same install path and an
		// input that stays open and empty until the test closes it
		r.setMode(modeOK)
		maddr := freeAddr(t)
		pr, pw, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer pw.Close()
		var stderr bytes.Buffer
		rules := exec.Command(bin("tracee-rules"), restartArgs(r, install, "--input-tracee", "file:stdin", "--metrics-addr", maddr)...)
		rules.Stdin, rules.Stdout, rules.Stderr = pr, io.Discard, &stderr
		if err := rules.Start(); err != nil {
			t.Fatal(err)
		}
		pr.Close()
		exited := false
		defer func() {
			if !exited {
				rules.Process.Kill()
				rules.Wait()
			}
		}()

		got, ok := r.WaitAccepted(webhookTimeout, func(rs []received) bool { return len(rs) >= len(bodies) })
		if !ok {
			t.Fatalf("restarted tracee-rules delivered %d of %d spooled alerts\nstderr:\n%s", len(got), len(bodies), stderr.String())
		}
		st := waitWebhookStats(t, maddr, 10*time.Second, "the spool replayed",
			func(s webhookStats) bool { return s.Spooling == 0 && s.Replayed == len(bodies) })
		t.Logf("restarted: %+v", st)
		if st.Sent != len(bodies) || st.Spooled != 0 || st.Dropped != 0 || st.Rejected != 0 {
			t.Errorf("restarted metrics %+v, want %d sent, nothing spooled, dropped or rejected", st, len(bodies))
		}
		if segs, _, _ := spoolRecords(t, filepath.Join(install, "spool", "webhook")); len(segs) != 0 {
			t.Errorf("spool still has %v after the replay, while tracee-rules runs", segs)
		}

		pw.Close() // end of input
		exited = true
		if !waitTimeout(rules, 20*time.Second) {
			t.Fatalf("restarted tracee-rules did not exit at the end of its input\nstderr:\n%s", stderr.String())
		}
		// an input without even a header is an error (exit 1), after the replay
		if rules.ProcessState.ExitCode() != 1 || !strings.Contains(stderr.String(), "empty stream") {
			t.Errorf("restarted tracee-rules on an empty input: %v, want exit status 1 and \"empty stream\"\nstderr:\n%s", rules.ProcessState, stderr.String())
		}
		checkReplayed(t, r, install, bodies)
		if !strings.Contains(stderr.String(), "replaying findings spooled by an earlier run") {
			t.Errorf("restarted tracee-rules did not log the replay:\n%s", stderr.String())
		}
	})

	t.Run("empty input", func(t *testing.T) {
		r := newSidekickReceiver(t, modeDown)
		install := t.TempDir()
		bodies := spoolWhileDown(t, r, install)

		// receiver up; tracee-rules reads an empty stream file, so it
		// starts closing at once: the replay goes on while the receiver
		// takes the records
		r.setMode(modeOK)
		empty := filepath.Join(t.TempDir(), "empty.pb")
		if err := os.WriteFile(empty, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		rules := exec.Command(bin("tracee-rules"), restartArgs(r, install, "--input-tracee", "file:"+empty)...)
		rules.Stdout, rules.Stderr = io.Discard, &stderr
		if err := rules.Start(); err != nil {
			t.Fatal(err)
		}
		if !waitTimeout(rules, 30*time.Second) {
			t.Fatalf("tracee-rules on an empty input did not exit\nstderr:\n%s", stderr.String())
		}
		if rules.ProcessState.ExitCode() != 1 || !strings.Contains(stderr.String(), "empty stream") {
			t.Errorf("tracee-rules on an empty input: %v, want exit status 1 and \"empty stream\"\nstderr:\n%s", rules.ProcessState, stderr.String())
		}
		checkReplayed(t, r, install, bodies)
	})
}
