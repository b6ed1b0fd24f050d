package lifecycle

import (
	"context"
	"os"
	"testing"
	"time"
)

// Closing the read end of a pipe is noticed without writing to it.
func TestWatchReaderPipe(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	gone := make(chan struct{})
	WatchReader(context.Background(), w, func() { close(gone) })
	select {
	case <-gone:
		t.Fatal("reported gone while the reader is open")
	case <-time.After(300 * time.Millisecond):
	}
	r.Close()
	select {
	case <-gone:
	case <-time.After(5 * time.Second):
		t.Fatal("closed reader not noticed")
	}
}

// A regular file is not watched.
func TestWatchReaderFile(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	WatchReader(context.Background(), f, func() { t.Error("a file has no reader to lose") })
	time.Sleep(100 * time.Millisecond)
}

// With SIGPIPE handled, a write to a broken pipe returns EPIPE instead of
// killing the process, and it is recognised as a closed output.
func TestBrokenPipeIsAnError(t *testing.T) {
	HandleSIGPIPE()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	_, err = w.Write([]byte("x"))
	w.Close()
	if !IsOutputClosed(err) {
		t.Fatalf("write to a broken pipe: %v, want EPIPE", err)
	}
	if Reason(context.Background(), false, nil) != ReasonSignal || Reason(context.Background(), true, nil) != ReasonOutputClosed {
		t.Error("reasons")
	}
}
