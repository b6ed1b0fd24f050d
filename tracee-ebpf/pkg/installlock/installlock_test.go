package installlock

import (
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestAcquireTwice(t *testing.T) {
	dir := t.TempDir()
	l, err := Acquire(dir, "tracee-ebpf")
	if err != nil {
		t.Fatal(err)
	}
	// Another owner shares the path.
	other, err := Acquire(dir, "tracee-rules")
	if err != nil {
		t.Fatalf("the other binary's lock: %v", err)
	}
	defer other.Release()
	// flock is per open file description: a second Acquire in this process
	// conflicts like a second process would.
	_, err = Acquire(dir, "tracee-ebpf")
	var inUse *InUseError
	if !errors.As(err, &inUse) || inUse.PID != os.Getpid() || !strings.Contains(err.Error(), "in use by pid "+strconv.Itoa(os.Getpid())) {
		t.Fatalf("second Acquire: %v", err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	l2, err := Acquire(dir, "tracee-ebpf")
	if err != nil {
		t.Fatalf("after Release: %v", err)
	}
	l2.Release()
}

// A lock held by a process that was killed is free again.
func TestLockDiesWithProcess(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command("flock", "-x", "-o", Path(dir, "tracee-ebpf"), "sleep", "30")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Skipf("flock(1): %v", err)
	}
	defer syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // its sleep too
	deadline := time.Now().Add(5 * time.Second)
	for {
		l, err := Acquire(dir, "tracee-ebpf")
		var inUse *InUseError
		if errors.As(err, &inUse) {
			break
		}
		if err == nil {
			l.Release() // before flock(1) got it
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			cmd.Wait()
			t.Skipf("flock(1) did not take the lock in time (%v)", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	// the whole group: flock(1) and its sleep (whatever flock does with its fd)
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	cmd.Wait()
	var l *Lock
	var err error
	for end := time.Now().Add(2 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if l, err = Acquire(dir, "tracee-ebpf"); err == nil || time.Now().After(end) {
			break
		}
	}
	if err != nil {
		t.Fatalf("lock of a killed process: %v", err)
	}
	l.Release()
}
