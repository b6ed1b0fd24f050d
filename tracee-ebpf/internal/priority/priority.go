package priority

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// Set gives every thread of this process the nice value n (-20..19). It
// needs CAP_SYS_NICE to lower it below the current value.
func Set(n int) error {
	if n < -20 || n > 19 {
		return fmt.Errorf("nice %d: want -20..19", n)
	}
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return fmt.Errorf("nice: %w", err)
	}
	for _, t := range tasks {
		tid, err := strconv.Atoi(t.Name())
		if err != nil {
			continue
		}
		if err := unix.Setpriority(unix.PRIO_PROCESS, tid, n); err != nil && err != unix.ESRCH {
			return fmt.Errorf("nice %d: thread %d: %w", n, tid, err)
		}
	}
	return nil
}

// Get is the nice value of thread tid (0: the calling thread).
func Get(tid int) (int, error) {
	// getpriority(2) returns 20 - nice.
	p, err := unix.Getpriority(unix.PRIO_PROCESS, tid)
	if err != nil {
		return 0, err
	}
	return 20 - p, nil
}
