package installlock

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// Lock is a held install-path lock.
type Lock struct {
	f *os.File
}

// InUseError is returned when another process holds the lock.
type InUseError struct {
	Dir   string
	Owner string // binary name
	PID   int    // 0 when the lock file does not say
}

func (e *InUseError) Error() string {
	pid := "another process"
	if e.PID > 0 {
		pid = "pid " + strconv.Itoa(e.PID)
	}
	return fmt.Sprintf("install path %s in use by %s (a running %s): give this one its own --install-path", e.Dir, pid, e.Owner)
}

// Path is the lock file of owner in dir.
func Path(dir, owner string) string { return filepath.Join(dir, owner+".lock") }

// Acquire takes owner's lock on dir (created if needed) without waiting and
// writes our pid into it. It fails with *InUseError when another process
// holds it.
func Acquire(dir, owner string) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("install path: %w", err)
	}
	path := Path(dir, owner)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("install path lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, &InUseError{Dir: dir, Owner: owner, PID: holder(path)}
		}
		return nil, fmt.Errorf("install path lock %s: %w", path, err)
	}
	if err := f.Truncate(0); err == nil {
		_, err = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("install path lock %s: %w", path, err)
		}
	}
	return &Lock{f: f}, nil
}

// holder is the pid written in the lock file, 0 if unreadable (the holder
// may not have written it yet).
func holder(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}

// Release drops the lock. The file stays (removing it would race with a
// process that just opened it).
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Close() // closing the last descriptor releases the flock
	l.f = nil
	return err
}
