package e2e

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// startFlood runs n copies of the flood trigger for secs seconds; each one's
// output (pid=, rounds=) is in its Stdout, a *strings.Builder.
func startFlood(t *testing.T, n int, mode string, secs string) []*exec.Cmd {
	t.Helper()
	var cmds []*exec.Cmd
	for i := 0; i < n; i++ {
		c := exec.Command(bin("flood"), mode, secs)
		c.Stdout = &strings.Builder{}
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, c)
	}
	t.Cleanup(func() {
		for _, c := range cmds {
			if c.ProcessState == nil {
				c.Process.Kill()
				c.Wait()
			}
		}
	})
	return cmds
}

// An attacker floods open/close from two processes and, in the middle of
// it, asks to be traced (TRC-2) and opens /etc/ld.so.preload for writing
// (TRC-7). With the signatures' policy the kernel drops the flood, both
// attacks are caught and tracee-ebpf loses nothing.
func TestFloodDoesNotBlindThePolicy(t *testing.T) {
	p := StartPipeline(t, PipelineOptions{})
	floods := startFlood(t, 2, "openclose", "6")
	time.Sleep(2 * time.Second)
	adPid, _ := runTriggerPid(t, "anti_debug")
	lpPid, _ := runTriggerPid(t, "ld_preload", "preload-file")
	for _, c := range floods {
		if err := c.Wait(); err != nil {
			t.Fatalf("flood: %v", err)
		}
	}
	mustFind(t, p, "TRC-2 in the middle of the flood", bySigPid("TRC-2", adPid))
	mustFind(t, p, "TRC-7 in the middle of the flood", bySigPid("TRC-7", lpPid))
	p.Stop()
	for _, f := range p.Findings() {
		if f.SignatureMetadata.ID == "TRC-LOST" {
			t.Errorf("events lost under the policy: %v", f.Data)
		}
	}
	stats := p.ebpfErr.String()
	if !strings.Contains(stats, "LostEvCount:0 ") || !strings.Contains(stats, "RecursionMisses:0 ") {
		t.Errorf("tracee-ebpf lost events:\n%s", stats)
	}
	// the kernel, not user space, dropped the flood: every policy filter
	// has room there, and what reached user space is a sliver of it
	if strings.Contains(stats, "no room in the kernel") {
		t.Errorf("the signatures' policy does not fit the kernel's filters:\n%s", stats)
	}
	var rounds int64
	for _, c := range floods {
		m := regexp.MustCompile(`rounds=(\d+)`).FindStringSubmatch(c.Stdout.(*strings.Builder).String())
		if m == nil {
			t.Fatalf("flood printed no rounds: %q", c.Stdout)
		}
		n, _ := strconv.ParseInt(m[1], 10, 64)
		rounds += n
	}
	m := regexp.MustCompile(`Received:(\d+) `).FindStringSubmatch(stats)
	if m == nil {
		t.Fatalf("no Received count in:\n%s", stats)
	}
	received, _ := strconv.ParseInt(m[1], 10, 64)
	if rounds < 10000 || received*100 > rounds*2 { // 2 events a round
		t.Errorf("%d events reached user space for %d open/close rounds: the kernel should drop the flood", received, rounds)
	}
	t.Logf("%d rounds, %d events received\ntracee-ebpf:\n%s", rounds, received, lastLines(stats, 4))
}

// With every syscall traced into a one-page ring, the same flood makes the
// kernel drop events, and tracee-rules says so: TRC-LOST, with the count,
// within about a second (tracee-ebpf reports losses every second).
func TestFloodLossIsAFinding(t *testing.T) {
	p := StartPipeline(t, PipelineOptions{Rules: []string{"TRC-2"}, EbpfArgs: []string{"--trace", "set=syscalls", "-b", "1"}})
	start := time.Now()
	startFlood(t, 2, "openclose", "4")
	f, ok := p.WaitFor(5*time.Second, func(f Finding) bool { return f.SignatureMetadata.ID == "TRC-LOST" })
	if !ok {
		t.Fatalf("no TRC-LOST within 5s of the flood\n%s", p.Diagnostics())
	}
	took := time.Since(start)
	n, ok := dataInt(f, "lost events")
	if !ok || n <= 0 {
		t.Errorf("TRC-LOST without a count: %v", f.Data)
	}
	if f.SignatureMetadata.Name != "Events Lost" || dataStr(f, "to") == "" {
		t.Errorf("finding %+v", f)
	}
	// Lost frames come once a second; the finding follows the first at once.
	if took > 2500*time.Millisecond {
		t.Errorf("TRC-LOST %v after the flood began, want within about a second of the first loss", took)
	}
	t.Logf("TRC-LOST %v after the flood began: %v", took, f.Data)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// One process floods mprotect(PROT_EXEC), which the TRC-4 policy passes, as
// fast as it can. Its budget stops it in the kernel; a TRACEME and a module
// load by other processes meanwhile are caught, and the flood is reported
// as TRC-LOST naming the flooding process.
func TestFloodThatPassesThePolicy(t *testing.T) {
	p := StartPipeline(t, PipelineOptions{EbpfArgs: []string{"--process-budget", "2000"}})
	flood := startFlood(t, 1, "mprotect", "5")[0]
	time.Sleep(1500 * time.Millisecond)
	adPid, _ := runTriggerPid(t, "anti_debug")
	kmPid, _ := RunTrigger(t, "kmod")
	mustFind(t, p, "TRC-2 during the flood", bySigPid("TRC-2", adPid))
	mustFind(t, p, "TRC-6 during the flood", bySigPid("TRC-6", kmPid))
	f := mustFind(t, p, "TRC-LOST naming the flooding process", func(f Finding) bool {
		return f.SignatureMetadata.ID == "TRC-LOST" && f.Event.HostProcessID == flood.Process.Pid
	})
	if n, _ := dataInt(f, "over budget"); n <= 0 {
		t.Errorf("TRC-LOST without the count over budget: %v", f.Data)
	}
	if pid, _ := dataInt(f, "flooding pid"); int(pid) != flood.Process.Pid {
		t.Errorf("flooding pid %v, want %d", f.Data["flooding pid"], flood.Process.Pid)
	}
	flood.Wait()
	p.Stop()
	t.Logf("%v\n%s", f.Data, lastLines(p.ebpfErr.String(), 6))
}

// One process executes itself again and again (a static binary: each start
// is a process start and nothing else). Process starts are priority events,
// but they are budgeted like any other: the flood is stopped in the kernel
// and reported as TRC-LOST naming the process, and a TRACEME by another
// process meanwhile is caught.
func TestExecFloodIsBudgeted(t *testing.T) {
	requirePrivileged(t)
	static := filepath.Join(t.TempDir(), "flood")
	if out, err := exec.Command("gcc", "-O2", "-static", "-o", static,
		filepath.Join(repoRoot, "tests", "triggers", "flood.c")).CombinedOutput(); err != nil {
		t.Fatalf("static build of flood.c: %v\n%s", err, out)
	}
	// 20 ordinary and 200 priority events a second for each process
	p := StartPipeline(t, PipelineOptions{EbpfArgs: []string{"--process-budget", "20"}})
	flood := exec.Command(static, "exec", "4")
	out := &strings.Builder{}
	flood.Stdout = out
	if err := flood.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if flood.ProcessState == nil {
			flood.Process.Kill()
			flood.Wait()
		}
	})
	time.Sleep(1500 * time.Millisecond)
	adPid, _ := runTriggerPid(t, "anti_debug")
	mustFind(t, p, "TRC-2 during the exec flood", bySigPid("TRC-2", adPid))
	f := mustFind(t, p, "TRC-LOST naming the process that executes itself", func(f Finding) bool {
		return f.SignatureMetadata.ID == "TRC-LOST" && f.Event.HostProcessID == flood.Process.Pid
	})
	if n, _ := dataInt(f, "over budget"); n <= 0 {
		t.Errorf("TRC-LOST without the count over budget: %v", f.Data)
	}
	if err := flood.Wait(); err != nil {
		t.Fatalf("exec flood: %v", err)
	}
	p.Stop()
	t.Logf("%s; %v\n%s", strings.TrimSpace(out.String()), f.Data, lastLines(p.ebpfErr.String(), 6))
}
