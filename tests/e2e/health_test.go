package e2e

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// healthz returns the status code and body of addr's /healthz (0 when it
// does not answer).
func healthz(addr string) (int, string) {
	c := http.Client{Timeout: time.Second}
	resp, err := c.Get("http://" + addr + "/healthz")
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// metric returns the value of an unlabelled metric on addr's /metrics.
func metric(addr, name string) (float64, bool) {
	m, err := scrapeMetrics(addr)
	v, ok := m[name]
	return v, err == nil && ok
}

// waitHealth polls addr's /healthz until it answers want; it returns how
// long that took.
func waitHealth(t *testing.T, p *Pipeline, addr string, want int, within time.Duration, what string) time.Duration {
	t.Helper()
	start := time.Now()
	var code int
	var body string
	for time.Since(start) < within {
		if code, body = healthz(addr); code == want {
			return time.Since(start)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: /healthz on %s answered %d, want %d within %s:\n%s\n%s", what, addr, code, want, within, body, p.Diagnostics())
	return 0
}

// waitFresh waits until the newest canary a metric reports was sent less
// than age ago (the pipeline caught up).
func waitFresh(t *testing.T, p *Pipeline, addr, name string, age, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		last, _ := metric(addr, name)
		if time.Since(time.Unix(0, int64(last*1e9))) < age {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s on %s stayed older than %s for %s\n%s", name, addr, age, within, p.Diagnostics())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// canaryHelper returns the pid of tracee-ebpf's tracee-canary child.
func canaryHelper(t *testing.T, ebpfPid int) int {
	t.Helper()
	// children are listed per thread: the one that forked
	paths, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", ebpfPid))
	var b []byte
	for _, p := range paths {
		c, _ := os.ReadFile(p)
		b = append(b, c...)
	}
	for _, f := range strings.Fields(string(b)) {
		comm, _ := os.ReadFile("/proc/" + f + "/comm")
		if strings.TrimSpace(string(comm)) == "tracee-canary" {
			pid, _ := strconv.Atoi(f)
			return pid
		}
	}
	t.Fatalf("tracee-ebpf %d has no tracee-canary child (children: %q)", ebpfPid, b)
	return 0
}

// The detection self-test end to end: the marker comes through and both
// /healthz say ok; a stopped tracee-ebpf (nothing read from the ring, the
// marker stuck) turns tracee-rules unhealthy within the timeout, and
// healthy again once it runs; a stopped tracee-rules (consumer stuck, the
// pipe full) turns tracee-ebpf unhealthy. tracee-rules takes its metrics
// flags from a --config file.
func TestDetectionHealth(t *testing.T) {
	requirePrivileged(t)
	const timeout = 3 * time.Second
	ebpfAddr, rulesAddr := freeAddr(t), freeAddr(t)
	cfg := filepath.Join(t.TempDir(), "tracee-rules.yaml")
	if err := os.WriteFile(cfg, []byte("metrics-addr: "+rulesAddr+"\ncanary-timeout: 3s\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := StartPipeline(t, PipelineOptions{
		EbpfArgs:  []string{"--metrics-addr", ebpfAddr, "--canary-interval", "500ms", "--canary-timeout", timeout.String()},
		RulesArgs: []string{"--config", cfg},
	})
	stopped := map[*exec.Cmd]bool{}
	t.Cleanup(func() {
		for c := range stopped {
			c.Process.Signal(syscall.SIGCONT)
		}
	})

	waitHealth(t, p, rulesAddr, 200, 30*time.Second, "start (tracee-rules)")
	waitHealth(t, p, ebpfAddr, 200, 5*time.Second, "start (tracee-ebpf)")
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, _ := metric(rulesAddr, "tracee_detection_canaries_total")
		alive, _ := metric(rulesAddr, "tracee_detection_alive")
		if n > 0 && alive == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no canary at tracee-rules (canaries %v, alive %v)\n%s", n, alive, p.Diagnostics())
		}
		time.Sleep(100 * time.Millisecond)
	}
	last, _ := metric(rulesAddr, "tracee_detection_last_canary_timestamp_seconds")
	if age := time.Since(time.Unix(0, int64(last*1e9))); age < 0 || age > timeout {
		t.Errorf("last canary %v is %s old", last, age)
	}
	waitFresh(t, p, ebpfAddr, "tracee_ebpf_canary_last_canary_timestamp_seconds", time.Second, 10*time.Second)
	if n, _ := metric(ebpfAddr, "tracee_ebpf_canary_canaries_total"); n == 0 {
		t.Errorf("tracee-ebpf counted no canary")
	}
	helper := canaryHelper(t, p.ebpf.Process.Pid)
	helpers := map[int]bool{helper: true}

	// Detection still works beside the canary, and the canary is no finding.
	pid, _ := RunTrigger(t, "anti_debug")
	if _, ok := p.WaitFor(10*time.Second, bySigPid("TRC-2", pid)); !ok {
		t.Fatalf("no TRC-2 for pid %d\n%s", pid, p.Diagnostics())
	}

	// A second tracee on the host: its helper's markers (another nonce)
	// must not keep this pipeline's check alive; tracee-ebpf counts them
	// and does not pass them on.
	other := StartTracer(t, "--trace", "event=prctl", "--output", "format:json", "--canary-interval", "200ms")
	for deadline = time.Now().Add(10 * time.Second); ; {
		if n, _ := metric(ebpfAddr, "tracee_ebpf_canary_foreign_canaries_total"); n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the other tracee's markers are not counted as foreign\nother:\n%s\n%s", other.Stderr(), p.Diagnostics())
		}
		time.Sleep(100 * time.Millisecond)
	}

	// Producer stopped: the ring fills, nothing comes through.
	stopped[p.ebpf] = true
	p.ebpf.Process.Signal(syscall.SIGSTOP)
	took := waitHealth(t, p, rulesAddr, 503, timeout+3*time.Second, "tracee-ebpf stopped")
	t.Logf("tracee-rules unhealthy %s after SIGSTOP of tracee-ebpf (timeout %s)", took.Round(10*time.Millisecond), timeout)
	if alive, ok := metric(rulesAddr, "tracee_detection_alive"); !ok || alive != 0 {
		t.Errorf("tracee_detection_alive = %v (%v) while tracee-ebpf is stopped", alive, ok)
	}
	p.ebpf.Process.Signal(syscall.SIGCONT)
	delete(stopped, p.ebpf)
	took = waitHealth(t, p, rulesAddr, 200, 15*time.Second, "tracee-ebpf continued")
	t.Logf("tracee-rules healthy again %s after SIGCONT", took.Round(10*time.Millisecond))
	other.Stop(syscall.SIGINT)
	// Healthy may mean a marker sent during the stop: let the backlog drain.
	waitFresh(t, p, rulesAddr, "tracee_detection_last_canary_timestamp_seconds", time.Second, 30*time.Second)

	// Consumer stopped: tracee-ebpf's writes block once the pipe is full
	// (process churn fills it), its own canary check fails.
	stopped[p.rules] = true
	stopAt := time.Now()
	p.rules.Process.Signal(syscall.SIGSTOP)
	churn := exec.Command("/bin/sh", "-c", "i=0; while [ $i -lt 400 ]; do /bin/true; i=$((i+1)); done")
	churnStart := time.Now()
	if err := churn.Run(); err != nil {
		t.Fatal(err)
	}
	churnTook := time.Since(churnStart)
	waitHealth(t, p, ebpfAddr, 503, timeout+5*time.Second, "tracee-rules stopped")
	t.Logf("tracee-ebpf unhealthy %s after SIGSTOP of tracee-rules (the churn took %s)",
		time.Since(stopAt).Round(10*time.Millisecond), churnTook.Round(10*time.Millisecond))
	p.rules.Process.Signal(syscall.SIGCONT)
	delete(stopped, p.rules)
	waitHealth(t, p, ebpfAddr, 200, 15*time.Second, "tracee-rules continued")
	waitHealth(t, p, rulesAddr, 200, 15*time.Second, "tracee-rules continued (its own)")

	// The helper killed (by an attacker or the OOM killer): tracee-ebpf
	// says so and starts another within a second; markers flow again.
	syscall.Kill(helper, syscall.SIGKILL)
	deadline = time.Now().Add(10 * time.Second)
	for !strings.Contains(p.ebpfErr.String(), "starting it again") {
		if time.Now().After(deadline) {
			t.Fatalf("the helper's end is not said on tracee-ebpf's stderr\n%s", p.Diagnostics())
		}
		time.Sleep(100 * time.Millisecond)
	}
	// a marker sent after the end was said comes from the new helper
	killedAt := time.Now()
	for deadline = time.Now().Add(10 * time.Second); ; {
		if last, _ := metric(rulesAddr, "tracee_detection_last_canary_timestamp_seconds"); time.Unix(0, int64(last*1e9)).After(killedAt) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no marker from a new helper within 10s\n%s", p.Diagnostics())
		}
		time.Sleep(100 * time.Millisecond)
	}
	if h := canaryHelper(t, p.ebpf.Process.Pid); h == helper {
		t.Errorf("tracee-canary %d was not replaced", helper)
	} else {
		helper = h
		helpers[h] = true
	}
	waitHealth(t, p, rulesAddr, 200, 5*time.Second, "tracee-canary restarted")

	for _, f := range p.Findings() {
		if strings.Contains(strings.ToUpper(f.SignatureMetadata.ID), "CANARY") || f.Event.ProcessName == "tracee-canary" || helpers[f.Event.HostProcessID] {
			t.Errorf("the canary surfaced as a finding: %+v", f)
		}
	}
	p.Stop()
	if _, err := os.Stat("/proc/" + strconv.Itoa(helper)); err == nil {
		comm, _ := os.ReadFile("/proc/" + strconv.Itoa(helper) + "/comm")
		if strings.TrimSpace(string(comm)) == "tracee-canary" {
			t.Errorf("tracee-canary %d outlived tracee-ebpf", helper)
		}
	}
}

// --config for tracee-ebpf: values apply, the command line wins, a bad key
// is refused naming the file and the key (before anything is loaded).
func TestEbpfConfigFile(t *testing.T) {
	if buildError != nil {
		t.Fatal(buildError)
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("trace: [event=execve]\noutptu: [format:json]\n"), 0o600)
	cmd := exec.Command(bin("tracee-ebpf"), "--config", bad)
	out, err := cmd.CombinedOutput()
	if err == nil || cmd.ProcessState.ExitCode() != 2 || !strings.Contains(string(out), "bad.yaml") || !strings.Contains(string(out), `"outptu"`) {
		t.Errorf("bad key: %v (want exit code 2, the file and the key)\n%s", err, out)
	}
	good := filepath.Join(dir, "good.yaml")
	os.WriteFile(good, []byte("list: true\n"), 0o600)
	out, err = exec.Command(bin("tracee-ebpf"), "--config", good).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "execve") {
		t.Errorf("list: true from the file: %v\n%.300s", err, out)
	}
	single := filepath.Join(dir, "single.yaml")
	os.WriteFile(single, []byte("install-path: [a, b]\n"), 0o600)
	out, err = exec.Command(bin("tracee-ebpf"), "--config", single).CombinedOutput()
	if err == nil || !strings.Contains(string(out), `"install-path"`) {
		t.Errorf("list for a single flag: %v\n%s", err, out)
	}
}
