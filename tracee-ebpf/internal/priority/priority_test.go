package priority

import (
	"os"
	"strconv"
	"testing"
)

// Every thread gets the value; a new thread inherits it.
func TestSet(t *testing.T) {
	before, err := Get(0)
	if err != nil {
		t.Fatal(err)
	}
	want := before + 1 // raising the nice value needs no privilege
	if want > 19 {
		t.Skip("already at the lowest priority")
	}
	if err := Set(want); err != nil {
		t.Fatal(err)
	}
	tasks, _ := os.ReadDir("/proc/self/task")
	for _, task := range tasks {
		tid, _ := strconv.Atoi(task.Name())
		if got, err := Get(tid); err == nil && got != want {
			t.Errorf("thread %d: nice %d, want %d", tid, got, want)
		}
	}
	if err := Set(42); err == nil {
		t.Error("nice 42 accepted")
	}
}
