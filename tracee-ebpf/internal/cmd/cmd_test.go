package cmd

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/testutil"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/cli"
)

// execute runs the command like main does, returning the exit code.
func execute(ctx context.Context, args ...string) (code int, stdout, stderr string) {
	var out, errOut testutil.SyncBuffer
	c := NewRootCommand(&out, &errOut)
	c.SetArgs(args)
	code = cli.Exit("tracee-ebpf", c.ExecuteContext(ctx), &errOut)
	return code, out.String(), errOut.String()
}

func TestHelp(t *testing.T) {
	code, out, _ := execute(context.Background(), "--help")
	if code != cli.ExitOK {
		t.Fatalf("--help: exit %d", code)
	}
	for _, want := range []string{"--trace", "--output", "--capture", "--list", "--metrics-addr", "--pprof-addr", "--install-path"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %s:\n%s", want, out)
		}
	}
}

// Bad flags are usage errors (exit 2) that name the bad input.
func TestUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--no-such-flag"}, "unknown flag: --no-such-flag"},
		{[]string{"stray"}, `unexpected arguments ["stray"]`},
		{[]string{"--output", "format:xml"}, "xml"},
		{[]string{"--capture", "bogus"}, "bogus"},
		{[]string{"--perf-buffer-size", "many"}, "many"},
		{[]string{"--proc-fops-interval", "0"}, "--proc-fops-interval 0s: must be positive"},
		{[]string{"--proc-fops-test-expect", "sys_call_table=0x1"}, `"sys_call_table=0x1": sys_call_table is not one of the checked functions`},
	} {
		code, _, errOut := execute(context.Background(), tc.args...)
		if code != cli.ExitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want %d naming %q", tc.args, code, errOut, cli.ExitUsage, tc.want)
		}
	}
}

func TestBadTraceExpressionIsUsage(t *testing.T) {
	testutil.RequirePrivileged(t)
	code, _, errOut := execute(context.Background(), "--install-path", t.TempDir(), "--trace", "event=no_such_event")
	if code != cli.ExitUsage || !strings.Contains(errOut, "no_such_event") || strings.Contains(errOut, "attached") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

// A bad output path is a runtime error found before anything is attached.
func TestBadOutFileAttachesNothing(t *testing.T) {
	testutil.RequirePrivileged(t)
	install := t.TempDir()
	code, _, errOut := execute(context.Background(), "--install-path", install,
		"--output", "out-file:"+filepath.Join(t.TempDir(), "missing", "events.json"))
	if code != cli.ExitError || strings.Contains(errOut, "attached") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(install, "out", "tracee.pid")); !os.IsNotExist(err) {
		t.Errorf("pid file left behind: %v", err)
	}
}

// A real run: events of a child process in JSON, then a stop by the
// context (as SIGINT does) that ends in order: exit 0, end of stream
// summary, pid file removed.
func TestRunTracesAndStopsInOrder(t *testing.T) {
	testutil.RequirePrivileged(t)
	install := t.TempDir()
	outFile := filepath.Join(t.TempDir(), "events.json")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	type result struct {
		code        int
		out, errOut string
	}
	done := make(chan result, 1)
	go func() {
		code, out, errOut := execute(ctx, "--install-path", install, "--output", "format:json",
			"--output", "out-file:"+outFile, "--trace", "event=execve", "--trace", "comm=true")
		done <- result{code, out, errOut}
	}()
	pidFile := filepath.Join(install, "out", "tracee.pid")
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(pidFile); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("never ready: %+v", <-done)
		}
	}
	var seen bool
	for deadline := time.Now().Add(10 * time.Second); !seen && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if err := exec.Command("true").Run(); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(outFile)
		for line := range strings.SplitSeq(string(b), "\n") {
			var ev struct {
				EventName   string `json:"eventName"`
				ProcessName string `json:"processName"`
			}
			if json.Unmarshal([]byte(line), &ev) == nil && ev.EventName == "execve" && ev.ProcessName == "true" {
				seen = true
			}
		}
	}
	cancel()
	var r result
	select {
	case r = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("did not stop after the context was cancelled")
	}
	if !seen {
		t.Errorf("no execve of true in %s; stderr:\n%s", outFile, r.errOut)
	}
	if r.code != cli.ExitOK || !strings.Contains(r.errOut, "attached") {
		t.Errorf("exit %d, stderr:\n%s", r.code, r.errOut)
	}
	if _, err := os.Stat(pidFile); !os.IsNotExist(err) {
		t.Errorf("pid file left behind: %v", err)
	}
}
