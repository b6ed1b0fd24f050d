package decode

import (
	"time"

	"golang.org/x/sys/unix"
)

// BootTime returns the wall-clock time of boot in unix nanoseconds, the
// base for the kernel's boot-relative (CLOCK_BOOTTIME) timestamps.
func BootTime() (int64, error) {
	var ts unix.Timespec
	now := time.Now()
	if err := unix.ClockGettime(unix.CLOCK_BOOTTIME, &ts); err != nil {
		return 0, err
	}
	return now.UnixNano() - ts.Nano(), nil
}

// Monotonic returns CLOCK_MONOTONIC in nanoseconds, the clock of a task's
// start_time in the kernel.
func Monotonic() (uint64, error) {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return 0, err
	}
	return uint64(ts.Nano()), nil
}
