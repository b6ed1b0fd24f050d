package canary

import (
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/testutil"
)

// TestMain lets the test binary play the helper, as tracee-ebpf's main does.
func TestMain(m *testing.M) {
	RunChildIfAsked()
	os.Exit(m.Run())
}

func TestStartStop(t *testing.T) {
	if _, err := Start(0, 1, io.Discard); err == nil {
		t.Error("interval 0 accepted")
	}
	s, err := Start(50*time.Millisecond, 1, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	pid := s.Pid()
	var comm string
	for i := 0; i < 100; i++ {
		b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/task/" + strconv.Itoa(pid) + "/comm")
		// the main thread sends (it is locked to the loop's goroutine)
		if comm = strings.TrimSpace(string(b)); comm == Name {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if comm != Name {
		t.Errorf("helper's comm %q, want %q", comm, Name)
	}
	s.Stop()
	if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); err == nil {
		t.Errorf("helper %d still there after Stop", pid)
	}
}

// A helper that dies is started again; Stop ends the supervision.
func TestHelperRestarts(t *testing.T) {
	var log testutil.SyncBuffer
	s, err := Start(50*time.Millisecond, 1, &log)
	if err != nil {
		t.Fatal(err)
	}
	first := s.Pid()
	syscall.Kill(first, syscall.SIGKILL)
	deadline := time.Now().Add(10 * time.Second)
	for s.Pid() == first {
		if time.Now().After(deadline) {
			t.Fatal("helper not restarted")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(log.String(), "starting it again") {
		t.Errorf("restart not said: %q", log.String())
	}
	second := s.Pid()
	s.Stop()
	if _, err := os.Stat("/proc/" + strconv.Itoa(second)); err == nil {
		t.Errorf("helper %d still there after Stop", second)
	}
}

func TestChildRefusesBadSpec(t *testing.T) {
	for _, spec := range []string{"", "12", "12:1s", "x:1s:1", "12:0s:1", "12:soon:1", "12:1s:x"} {
		if code := runChild(spec); code != 2 {
			t.Errorf("runChild(%q) = %d, want 2", spec, code)
		}
	}
}

func TestChildExitsWithoutParent(t *testing.T) {
	done := make(chan int, 1)
	// a parent pid that is not ours: the loop ends at the first look
	go func() { done <- runChild("1:10ms:5") }()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit code %d", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("helper loop did not notice its parent is gone")
	}
}
