package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The container entrypoint wires both binaries through a fifo; run it as
// the image would (binaries from TRACEE_BIN) and check that it detects, and
// that SIGTERM ends both processes cleanly with nothing left attached.
func TestContainerEntrypoint(t *testing.T) {
	requirePrivileged(t)
	install := t.TempDir()
	cmd := exec.Command("/bin/sh", filepath.Join(repoRoot, "docker", "entrypoint.sh"), "--output", "format:json")
	cmd.Env = append(os.Environ(), "TRACEE_BIN="+binDir, "TRACEE_INSTALL_PATH="+install)
	var out, errb lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	pidFile := filepath.Join(install, "out", "tracee.pid")
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(pidFile); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("entrypoint never became ready:\n%s", errb.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	pid, _ := RunTrigger(t, "anti_debug")
	want := `"hostProcessId":` + strconv.Itoa(pid)
	for deadline = time.Now().Add(10 * time.Second); !strings.Contains(out.String(), want); {
		if time.Now().After(deadline) {
			t.Fatalf("no finding for pid %d\nstdout:\n%s\nstderr:\n%s", pid, out.String(), errb.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.Contains(out.String(), `"id":"TRC-2"`) {
		t.Errorf("finding is not TRC-2:\n%s", out.String())
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("entrypoint exited with %v\n%s", err, errb.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("entrypoint did not exit after SIGTERM\n%s", errb.String())
	}
	if _, err := os.Stat(pidFile); !os.IsNotExist(err) {
		t.Errorf("pid file left behind: %v", err)
	}
	if _, err := os.Stat(filepath.Join(install, "pipeline.fifo")); !os.IsNotExist(err) {
		t.Errorf("fifo left behind: %v", err)
	}
}
