package canary

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary play the helper, as tracee-ebpf's main does.
func TestMain(m *testing.M) {
	RunChildIfAsked()
	os.Exit(m.Run())
}

func TestStartStop(t *testing.T) {
	if _, err := Start(0); err == nil {
		t.Error("interval 0 accepted")
	}
	s, err := Start(50 * time.Millisecond)
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

func TestChildRefusesBadSpec(t *testing.T) {
	for _, spec := range []string{"", "12", "x:1s", "12:0s", "12:soon"} {
		if code := runChild(spec); code != 2 {
			t.Errorf("runChild(%q) = %d, want 2", spec, code)
		}
	}
}

func TestChildExitsWithoutParent(t *testing.T) {
	done := make(chan int, 1)
	// a parent pid that is not ours: the loop ends at the first look
	go func() { done <- runChild("1:10ms") }()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit code %d", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("helper loop did not notice its parent is gone")
	}
}
