package lifecycle

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"
)

// ErrOutputClosed is the cause of a run stopped because the reader of its
// output went away.
var ErrOutputClosed = errors.New("output closed by its reader")

// Stop reasons carried by the end-of-stream frame.
const (
	ReasonSignal       = "signal"
	ReasonOutputClosed = "output closed"
)

// HandleSIGPIPE keeps a broken pipe from killing the process: Go's runtime
// exits on SIGPIPE for writes to fds 1 and 2 unless the signal is handled.
// The write then fails with EPIPE, which the tracer treats as a stop. (A
// handler, unlike SIG_IGN, is not inherited by programs we execute.)
func HandleSIGPIPE() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGPIPE)
	go func() {
		for range ch {
		}
	}()
}

// WatchReader calls gone once when f is a pipe or socket whose reading end
// was closed, and returns at once (doing nothing) for any other kind of
// file. It stops watching when ctx is done.
func WatchReader(ctx context.Context, f *os.File, gone func()) {
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return
	}
	if t := st.Mode & unix.S_IFMT; t != unix.S_IFIFO && t != unix.S_IFSOCK {
		return
	}
	fd := int32(f.Fd())
	go func() {
		for ctx.Err() == nil {
			// POLLERR (pipe) and POLLHUP (socket) are reported whatever
			// the requested events: asking for none waits for them only.
			pfd := []unix.PollFd{{Fd: fd}}
			n, err := unix.Poll(pfd, 250)
			if err != nil && !errors.Is(err, unix.EINTR) {
				return
			}
			if n > 0 && pfd[0].Revents&(unix.POLLERR|unix.POLLHUP) != 0 {
				gone()
				return
			}
		}
	}()
}

// Reason names why a run stopped, for the end-of-stream frame.
func Reason(ctx context.Context, outputClosed bool, runErr error) string {
	switch {
	case outputClosed || errors.Is(context.Cause(ctx), ErrOutputClosed):
		return ReasonOutputClosed
	case runErr != nil:
		return "error: " + runErr.Error()
	default:
		return ReasonSignal
	}
}

// IsOutputClosed reports whether err is a write into a pipe or socket whose
// reader is gone.
func IsOutputClosed(err error) bool {
	return errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET)
}
