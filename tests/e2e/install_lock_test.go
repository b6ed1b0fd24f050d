package e2e

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Two tracee-ebpf on one --install-path: the second refuses to start,
// naming the first one's pid, and leaves the first one's pid file alone.
// tracee-rules shares the path with its tracee-ebpf.
func TestInstallPathOneTraceeEbpf(t *testing.T) {
	requirePrivileged(t)
	first := StartJSON(t, "comm=nosuchcomm9", "event=openat")
	var stderr bytes.Buffer
	second := exec.Command(bin("tracee-ebpf"), "--install-path", first.Install, "--output", "format:json", "--trace", "comm=nosuchcomm9")
	second.Stderr = &stderr
	err := second.Run()
	want := fmt.Sprintf("install path %s in use by pid %d", first.Install, first.Pid())
	if second.ProcessState.ExitCode() != 1 || !strings.Contains(stderr.String(), want) {
		t.Fatalf("second tracee-ebpf on the same install path: %v, stderr %q; want exit 1 and %q", err, stderr.String(), want)
	}
	if b, err := os.ReadFile(first.PidFile()); err != nil || strings.TrimSpace(string(b)) != strconv.Itoa(first.Pid()) {
		t.Errorf("first tracer's pid file after the second one gave up: %q, %v", b, err)
	}
	if first.Exited() {
		t.Fatalf("first tracer exited\n%s", first.Diagnostics())
	}
	if code := first.Stop(syscall.SIGINT); code != 0 {
		t.Errorf("first tracer exit code %d\n%s", code, first.Diagnostics())
	}
	// Once the first is gone, the path is free again.
	startOnInstallPath(t, first.Install)
}

// startOnInstallPath runs tracee-ebpf on install until it is ready, then
// stops it with SIGINT and checks it exited 0.
func startOnInstallPath(t *testing.T, install string) {
	t.Helper()
	pidFile := install + "/out/tracee.pid"
	cmd := exec.Command(bin("tracee-ebpf"), "--install-path", install, "--output", "format:json", "--trace", "comm=nosuchcomm9")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if !pollUntil(tracerTimeout, func() bool { _, err := os.Stat(pidFile); return err == nil }) {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("tracee-ebpf did not start on install path %s\n%s", install, stderr.String())
	}
	cmd.Process.Signal(syscall.SIGINT)
	if !waitTimeout(cmd, tracerTimeout) || cmd.ProcessState.ExitCode() != 0 {
		t.Errorf("tracee-ebpf on install path %s: %v\n%s", install, cmd.ProcessState, stderr.String())
	}
}

// Two tracee-rules with a webhook on one --install-path: the second
// refuses (it would replay the first one's spool), naming the first's pid.
func TestInstallPathOneTraceeRules(t *testing.T) {
	requirePrivileged(t)
	r := newSidekickReceiver(t, modeDown)
	install := t.TempDir()
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer pw.Close()
	var firstErr bytes.Buffer
	first := exec.Command(bin("tracee-rules"), restartArgs(r, install, "--input-tracee", "file:stdin")...)
	first.Stdin, first.Stdout, first.Stderr = pr, io.Discard, &firstErr
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	pr.Close()
	defer func() {
		if first.ProcessState == nil {
			first.Process.Kill()
			first.Wait()
		}
	}()
	lockFile := install + "/tracee-rules.lock"
	if !pollUntil(10*time.Second, func() bool {
		b, _ := os.ReadFile(lockFile)
		return strings.TrimSpace(string(b)) == strconv.Itoa(first.Process.Pid)
	}) {
		t.Fatalf("first tracee-rules did not take %s\n%s", lockFile, firstErr.String())
	}
	var stderr bytes.Buffer
	second := exec.Command(bin("tracee-rules"), restartArgs(r, install, "--input-tracee", "file:/dev/null")...)
	second.Stdout, second.Stderr = io.Discard, &stderr
	second.Run()
	want := fmt.Sprintf("install path %s in use by pid %d", install, first.Process.Pid)
	if second.ProcessState.ExitCode() != 1 || !strings.Contains(stderr.String(), want) {
		t.Fatalf("second tracee-rules: %v, stderr %q; want exit 1 and %q", second.ProcessState, stderr.String(), want)
	}
	// tracee-ebpf shares the path with it.
	startOnInstallPath(t, install)
}
