package input

import (
	"errors"
	"fmt"
	"io"
	"strings"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

// Format is the encoding of the input.
type Format int

const (
	FormatProtobuf Format = iota // proto/stream frames
	FormatJSON                   // one Tracee-JSON event per line
)

func (f Format) String() string {
	if f == FormatJSON {
		return "json"
	}
	return "protobuf"
}

// Config says where events come from.
type Config struct {
	Format Format
	// Exactly one of File and Unix is set; File "stdin" (or "-") reads Stdin.
	File string
	Unix string
	// Stdin is read for File "stdin"; nil means os.Stdin.
	Stdin io.Reader
	// MaxFrameSize bounds a protobuf frame (0: stream.DefaultMaxFrameSize);
	// MaxLineSize bounds a JSON line (0: 16 MiB).
	MaxFrameSize int64
	MaxLineSize  int
	// Logf reports input problems and producer events; nil means stderr.
	Logf func(format string, args ...any)
	// Optional observers (metrics): every Lost frame, every decode error.
	OnLost        func(*pb.Lost)
	OnDecodeError func()
	// Stream observers (loss findings): each stream's header, its
	// end-of-stream frame, and a stream cut before that frame (name says
	// which input).
	OnHeader func(*pb.Header)
	OnEnd    func(*pb.EndOfStream)
	OnCut    func(name string)
}

// ErrBadFlag is wrapped by errors for bad --input-tracee values.
var ErrBadFlag = errors.New("bad --input-tracee value")

// ParseFlags reads --input-tracee values: file:stdin, file:PATH, unix:PATH,
// format:protobuf, format:json. The default is file:stdin, format:protobuf.
func ParseFlags(values []string) (Config, error) {
	cfg := Config{File: "stdin"}
	var sawFile, sawUnix, sawFormat bool
	for _, v := range values {
		key, val, ok := strings.Cut(v, ":")
		if !ok || val == "" {
			return Config{}, fmt.Errorf("%w %q: want key:value (file:stdin, file:PATH, unix:PATH, format:protobuf|json)", ErrBadFlag, v)
		}
		switch key {
		case "file":
			if sawFile || sawUnix {
				return Config{}, fmt.Errorf("%w %q: only one input source may be given", ErrBadFlag, v)
			}
			sawFile = true
			cfg.File = val
		case "unix":
			if sawFile || sawUnix {
				return Config{}, fmt.Errorf("%w %q: only one input source may be given", ErrBadFlag, v)
			}
			sawUnix = true
			cfg.File, cfg.Unix = "", val
		case "format":
			if sawFormat {
				return Config{}, fmt.Errorf("%w %q: format given twice", ErrBadFlag, v)
			}
			sawFormat = true
			switch strings.ToLower(val) {
			case "protobuf", "proto", "pb":
				cfg.Format = FormatProtobuf
			case "json":
				cfg.Format = FormatJSON
			default:
				return Config{}, fmt.Errorf("%w %q: format must be protobuf or json", ErrBadFlag, v)
			}
		default:
			return Config{}, fmt.Errorf("%w %q: unknown key %q (want file, unix or format)", ErrBadFlag, v, key)
		}
	}
	return cfg, nil
}
