package output

import (
	"fmt"
	"os"
	"strconv"
)

// rotatingFile is the out-file of a recording rotated by size: when a
// frame takes it past max bytes, it is closed and renamed PATH.1 (then
// PATH.2, ...: higher is newer) and a new PATH starts, with the stream
// header again, so that every file is a complete stream on its own.
type rotatingFile struct {
	path string
	f    *os.File
	n    int64
	max  int64
	seq  int
}

func openRotating(path string, max int64) (*rotatingFile, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o640)
	if err != nil {
		return nil, fmt.Errorf("open out-file: %w", err)
	}
	return &rotatingFile{path: path, f: f, max: max}, nil
}

func (r *rotatingFile) Write(p []byte) (int, error) {
	n, err := r.f.Write(p)
	r.n += int64(n)
	return n, err
}

// full reports whether the current file reached its size.
func (r *rotatingFile) full() bool { return r.n >= r.max }

// rotate closes the current file, renames it to the next PATH.N and opens
// a new PATH.
func (r *rotatingFile) rotate() error {
	if err := r.f.Close(); err != nil {
		return fmt.Errorf("rotate out-file: %w", err)
	}
	r.seq++
	old := r.path + "." + strconv.Itoa(r.seq)
	if err := os.Rename(r.path, old); err != nil {
		return fmt.Errorf("rotate out-file: %w", err)
	}
	f, err := os.OpenFile(r.path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o640)
	if err != nil {
		return fmt.Errorf("rotate out-file: %w", err)
	}
	r.f, r.n = f, 0
	return nil
}

func (r *rotatingFile) Close() error { return r.f.Close() }
