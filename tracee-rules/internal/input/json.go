package input

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk/traceejson"
)

var errNoName = errors.New("event has no eventName")

// DefaultMaxLineSize bounds one JSON line.
const DefaultMaxLineSize = 16 << 20

func (in *Input) decodeJSON(ctx context.Context, r io.Reader, name string, h Handler) error {
	maxLine := in.cfg.MaxLineSize
	if maxLine <= 0 {
		maxLine = DefaultMaxLineSize
	}
	br := bufio.NewReaderSize(r, 64<<10)
	var (
		offset  int64 // byte offset of the current line
		lineNo  int64
		buf     []byte
		tooLong bool
		done    = ctx.Done()
	)
	for {
		select {
		case <-done:
			return nil
		default:
		}
		chunk, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			if !tooLong {
				if len(buf)+len(chunk) > maxLine {
					tooLong = true
					buf = buf[:0]
				} else {
					buf = append(buf, chunk...)
				}
			}
			offset += int64(len(chunk))
			continue
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("%s: read at byte offset %d: %w", name, offset, err)
		}
		lineNo++
		lineStart := offset - int64(len(buf))
		if tooLong {
			lineStart = -1
		}
		line := chunk
		if len(buf) > 0 {
			buf = append(buf, chunk...)
			line = buf
		}
		offset += int64(len(chunk))
		switch {
		case tooLong || len(line) > maxLine:
			in.decodeError("%s: line %d: longer than %d bytes; skipped", name, lineNo, maxLine)
		default:
			if trimmed := bytes.TrimSpace(line); len(trimmed) > 0 {
				ev, derr := traceejson.Unmarshal(trimmed)
				if derr == nil && ev.EventName == "" {
					// eventId alone is ambiguous: an absent id reads as 0 (read).
					derr = errNoName
				}
				if derr != nil {
					in.decodeError("%s: line %d (byte offset %d): %v; skipped", name, lineNo, lineStart, derr)
				} else {
					in.emit(ev, h)
				}
			}
		}
		buf, tooLong = buf[:0], false
		if err != nil { // io.EOF
			return nil
		}
	}
}
