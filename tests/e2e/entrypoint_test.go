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

// Launcher is the image's entrypoint (tracee-ebpf/cmd/tracee) running on
// the host with the test's binaries.
type Launcher struct {
	t       *testing.T
	cmd     *exec.Cmd
	Install string
	out     lockedBuffer
	errb    lockedBuffer
	done    chan struct{}
}

// StartLauncher runs `tracee args...` and waits until it says it is ready.
func StartLauncher(t *testing.T, env []string, args ...string) *Launcher {
	t.Helper()
	requirePrivileged(t)
	l := &Launcher{t: t, Install: t.TempDir(), done: make(chan struct{})}
	l.cmd = exec.Command(bin("tracee"), args...)
	l.cmd.Env = append(append(os.Environ(), "TRACEE_BIN="+binDir, "TRACEE_INSTALL_PATH="+l.Install), env...)
	l.cmd.Stdout, l.cmd.Stderr = &l.out, &l.errb
	if err := l.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { l.cmd.Wait(); close(l.done) }()
	t.Cleanup(func() {
		l.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-l.done:
		case <-time.After(tracerTimeout):
			l.cmd.Process.Kill()
		}
	})
	if !pollUntil(tracerTimeout, func() bool { return strings.Contains(l.errb.String(), "tracee: ready") || l.exited() }) || l.exited() {
		t.Fatalf("launcher not ready\n%s", l.errb.String())
	}
	return l
}

func (l *Launcher) exited() bool {
	select {
	case <-l.done:
		return true
	default:
		return false
	}
}

// wait waits (bounded) for the launcher to exit and returns its code.
func (l *Launcher) wait(d time.Duration) int {
	l.t.Helper()
	select {
	case <-l.done:
		return l.cmd.ProcessState.ExitCode()
	case <-time.After(d):
		l.t.Fatalf("launcher did not exit within %v\n%s", d, l.errb.String())
		return -1
	}
}

// childPid is the pid of the launcher's child named name, from its log.
func (l *Launcher) childPid(name string) int {
	l.t.Helper()
	log := l.errb.String()
	i := strings.Index(log, name+" (pid ")
	if i < 0 {
		l.t.Fatalf("no %s pid in the launcher's log:\n%s", name, log)
	}
	n, err := strconv.Atoi(strings.TrimRight(strings.Fields(log[i+len(name)+6:])[0], ");"))
	if err != nil {
		l.t.Fatalf("%s pid: %v\n%s", name, err, log)
	}
	return n
}

// The launcher wires both binaries: it detects, and SIGTERM ends both
// processes cleanly (exit 0) with nothing left behind.
func TestContainerEntrypoint(t *testing.T) {
	l := StartLauncher(t, nil, "--output", "format:json")
	pid, _ := RunTrigger(t, "anti_debug")
	want := `"hostProcessId":` + strconv.Itoa(pid)
	if !pollUntil(findingTimeout, func() bool { return strings.Contains(l.out.String(), want) }) {
		t.Fatalf("no finding for pid %d\nstdout:\n%s\nstderr:\n%s", pid, l.out.String(), l.errb.String())
	}
	if !strings.Contains(l.out.String(), `"id":"TRC-2"`) {
		t.Errorf("finding is not TRC-2:\n%s", l.out.String())
	}
	ready := func() error {
		cmd := exec.Command(bin("tracee"), "ready")
		cmd.Env = l.cmd.Env
		return cmd.Run()
	}
	if err := ready(); err != nil {
		t.Errorf("tracee ready while attached: %v", err)
	}
	ebpfPid := l.childPid("tracee-ebpf")
	l.cmd.Process.Signal(syscall.SIGTERM)
	if code := l.wait(20 * time.Second); code != 0 {
		t.Errorf("launcher exit code %d after SIGTERM\n%s", code, l.errb.String())
	}
	if _, err := os.Stat(filepath.Join(l.Install, "out", "tracee.pid")); !os.IsNotExist(err) {
		t.Errorf("pid file left behind: %v", err)
	}
	if err := syscall.Kill(ebpfPid, 0); err == nil {
		t.Errorf("tracee-ebpf (pid %d) still running", ebpfPid)
	}
	if err := ready(); err == nil {
		t.Errorf("tracee ready after the pipeline stopped: exit 0")
	}
}

// Either process dying stops the other, says why, and the launcher exits
// with the dead process's code.
func TestContainerEntrypointChildDies(t *testing.T) {
	l := StartLauncher(t, nil)
	ebpfPid := l.childPid("tracee-ebpf")
	syscall.Kill(l.childPid("tracee-rules"), syscall.SIGKILL)
	if code := l.wait(20 * time.Second); code != 128+int(syscall.SIGKILL) {
		t.Errorf("launcher exit code %d after tracee-rules was killed, want %d\n%s", code, 128+int(syscall.SIGKILL), l.errb.String())
	}
	if !strings.Contains(l.errb.String(), "tracee-rules exited on its own (code 137): stopping tracee-ebpf") {
		t.Errorf("launcher did not say why it stopped:\n%s", l.errb.String())
	}
	if err := syscall.Kill(ebpfPid, 0); err == nil {
		t.Errorf("tracee-ebpf (pid %d) still running", ebpfPid)
	}

	l = StartLauncher(t, nil)
	syscall.Kill(l.childPid("tracee-ebpf"), syscall.SIGKILL)
	if code := l.wait(20 * time.Second); code != 137 {
		t.Errorf("launcher exit code %d after tracee-ebpf was killed, want 137\n%s", code, l.errb.String())
	}
	if !strings.Contains(l.errb.String(), "tracee-ebpf exited on its own (code 137): stopping tracee-rules") {
		t.Errorf("launcher did not say why it stopped:\n%s", l.errb.String())
	}
}

// `tracee rules ...` and `tracee trace ...` run one binary alone; a bad
// TRACEE_WEBHOOK_CONFIG is refused with its name.
func TestContainerEntrypointModes(t *testing.T) {
	if buildError != nil {
		t.Fatal(buildError)
	}
	run := func(env []string, args ...string) (string, error) {
		cmd := exec.Command(bin("tracee"), args...)
		cmd.Env = append(append(os.Environ(), "TRACEE_BIN="+binDir), env...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := run(nil, "rules", "--list")
	if err != nil || !strings.Contains(out, "TRC-2") {
		t.Errorf("tracee rules --list: %v\n%s", err, out)
	}
	out, err = run(nil, "trace", "--list")
	if err != nil || !strings.Contains(out, "execve") {
		t.Errorf("tracee trace --list: %v\n%s", err, out)
	}
	out, err = run([]string{"TRACEE_WEBHOOK_CONFIG=http://x"})
	if err == nil || !strings.Contains(out, "TRACEE_WEBHOOK_CONFIG") {
		t.Errorf("bad TRACEE_WEBHOOK_CONFIG accepted: %v\n%s", err, out)
	}
}
