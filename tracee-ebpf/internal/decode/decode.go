package decode

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
	"unsafe"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/abi"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/render"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

// HeaderSize is the size of struct event_ctx (abi.RecordHeader).
const HeaderSize = int(unsafe.Sizeof(abi.RecordHeader{}))

// Errors wrapped by Decode.
var (
	ErrShortRecord  = errors.New("record shorter than its header")
	ErrUnknownEvent = errors.New("unknown event id")
	ErrBadArgument  = errors.New("malformed argument")
)

// ParseHeader reads the fixed header of a record: a copy of its first
// HeaderSize bytes into the bpf2go view of struct event_ctx (little endian,
// as the host that runs the bpfel object).
func ParseHeader(raw []byte) (abi.RecordHeader, error) {
	var h abi.RecordHeader
	if len(raw) < HeaderSize {
		return h, fmt.Errorf("%w: %d bytes", ErrShortRecord, len(raw))
	}
	copy(unsafe.Slice((*byte)(unsafe.Pointer(&h)), HeaderSize), raw)
	return h, nil
}

// cBytes views a fixed-size C char array as bytes.
func cBytes(a *[16]int8) []byte {
	return unsafe.Slice((*byte)(unsafe.Pointer(&a[0])), len(a))
}

// Decoder decodes records into events.
type Decoder struct {
	// BootTime is the wall-clock time of boot in unix nanoseconds; record
	// timestamps are boot-relative.
	BootTime int64
	// Lookup finds an event's definition; events.ByID by default.
	Lookup func(events.ID) (*events.Definition, bool)

	comm, uts lastString // consecutive records mostly share these
}

// lastString converts a fixed-size C string, reusing the previous result
// when the bytes are the same (saves an allocation per event).
type lastString struct {
	raw [16]byte
	s   string
	ok  bool
}

func (l *lastString) get(b []byte) string {
	if l.ok && string(l.raw[:]) == string(b) { // no allocation: compiler-optimized comparison
		return l.s
	}
	copy(l.raw[:], b)
	l.s, l.ok = cString(b), true
	return l.s
}

// policiesOffset is where the record header keeps its policy bitmap.
const policiesOffset = int(unsafe.Offsetof(abi.RecordHeader{}.Policies))

// HeaderPolicies is the bitmap of the policies a record matched in the
// kernel (struct event_ctx.policies); all ones for a record too short.
func HeaderPolicies(raw []byte) uint64 {
	if len(raw) < policiesOffset+8 {
		return ^uint64(0)
	}
	return binary.LittleEndian.Uint64(raw[policiesOffset:])
}

// Decode decodes one record. On a malformed argument it returns the event
// with the arguments decoded so far and an error.
func (d *Decoder) Decode(raw []byte) (*pb.Event, error) {
	h, err := ParseHeader(raw)
	if err != nil {
		return nil, err
	}
	lookup := d.Lookup
	if lookup == nil {
		lookup = events.ByID
	}
	def, ok := lookup(events.ID(h.EventId))
	if !ok {
		return nil, fmt.Errorf("%w %d", ErrUnknownEvent, h.EventId)
	}
	// Events come from a pool (see Release): a busy tracer decodes millions a second.
	ev := pb.EventFromVTPool()
	ev.Timestamp = d.BootTime + int64(h.Ts)
	ev.ProcessorId = h.Cpu
	ev.ProcessId = int32(h.Pid)
	ev.ThreadId = int32(h.Tid)
	ev.ParentProcessId = int32(h.Ppid)
	ev.HostProcessId = int32(h.HostPid)
	ev.HostThreadId = int32(h.HostTid)
	ev.HostParentProcessId = int32(h.HostPpid)
	ev.UserId = h.Uid
	ev.GroupId = h.Gid
	ev.MountNamespace = h.Mntns
	ev.PidNamespace = h.Pidns
	ev.ProcessName = d.comm.get(cBytes(&h.Comm))
	ev.HostName = d.uts.get(cBytes(&h.Uts))
	ev.CgroupId = h.CgroupId
	ev.EventId = h.EventId
	ev.EventName = def.Name
	ev.ReturnValue = h.Retval
	ev.Syscall = h.Syscall
	ev.IsCompat = h.Flags&abi.RecCompat != 0
	ev.IoUring = h.Flags&abi.RecIoUring != 0
	ev.Truncated = h.Flags&abi.RecTruncated != 0
	err = decodeArgs(ev, def, raw[HeaderSize:], int(h.Argnum), h.Flags&abi.RecWideArgs != 0)
	render.Apply(def, ev)
	return ev, err
}

// Release returns an event to the pool once nothing refers to it any more
// (printers encode synchronously). Its ancestry is shared with the process
// tree's cache, so it is detached rather than reset.
func Release(ev *pb.Event) {
	ev.Ancestry = nil
	ev.Artifacts = nil
	ev.ReturnToVTPool()
}

// nextArg appends an argument, reusing one left in the slice's spare
// capacity by a pooled event.
func nextArg(ev *pb.Event) *pb.Argument {
	n := len(ev.Args)
	if n < cap(ev.Args) {
		if a := ev.Args[:n+1][n]; a != nil {
			ev.Args = ev.Args[:n+1]
			return a
		}
	}
	a := &pb.Argument{}
	ev.Args = append(ev.Args, a)
	return a
}

func decodeArgs(ev *pb.Event, def *events.Definition, b []byte, n int, wide bool) error {
	le := binary.LittleEndian
	for i := 0; i < n; i++ {
		if len(b) < 1 {
			return fmt.Errorf("%w: record ends before argument %d of %d", ErrBadArgument, i, n)
		}
		idx := int(b[0])
		b = b[1:]
		if idx >= len(def.Params) {
			return fmt.Errorf("%w: %s has %d parameters, record names index %d", ErrBadArgument, def.Name, len(def.Params), idx)
		}
		p := &def.Params[idx]
		size := fixedSize(p.Kind)
		if size == 0 { // length-prefixed
			if len(b) < 4 {
				return fmt.Errorf("%w: %s.%s: length cut off", ErrBadArgument, def.Name, p.Name)
			}
			l := int(le.Uint32(b))
			b = b[4:]
			if l > len(b) {
				return fmt.Errorf("%w: %s.%s: %d bytes announced, %d left", ErrBadArgument, def.Name, p.Name, l, len(b))
			}
			a := nextArg(ev)
			a.Name, a.Type = p.Name, p.Type
			setVariable(a, p.Kind, b[:l])
			b = b[l:]
		} else {
			if wide {
				size = 8
			}
			if len(b) < size {
				return fmt.Errorf("%w: %s.%s: needs %d bytes, %d left", ErrBadArgument, def.Name, p.Name, size, len(b))
			}
			a := nextArg(ev)
			a.Name, a.Type = p.Name, p.Type
			setFixed(a, p.Kind, b[:size])
			b = b[size:]
		}
	}
	return nil
}

func fixedSize(k events.ArgKind) int {
	switch k {
	case events.ArgInt, events.ArgUint:
		return 4
	case events.ArgLong, events.ArgUlong, events.ArgPointer:
		return 8
	case events.ArgU16:
		return 2
	case events.ArgBool:
		return 1
	default:
		return 0
	}
}

// setFixed sets an integer argument from its little-endian bytes: the
// kind's own size, or 8 (a raw register, REC_WIDE_ARGS), narrowed by kind.
func setFixed(a *pb.Argument, k events.ArgKind, b []byte) {
	var v uint64
	for i := len(b) - 1; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	switch k {
	case events.ArgInt:
		a.Value = &pb.Argument_Int{Int: int64(int32(uint32(v)))}
	case events.ArgUint:
		a.Value = &pb.Argument_Uint{Uint: uint64(uint32(v))}
	case events.ArgLong:
		a.Value = &pb.Argument_Int{Int: int64(v)}
	case events.ArgUlong, events.ArgPointer:
		a.Value = &pb.Argument_Uint{Uint: v}
	case events.ArgU16:
		a.Value = &pb.Argument_Uint{Uint: uint64(uint16(v))}
	case events.ArgBool:
		a.Value = &pb.Argument_Bool{Bool: v != 0}
	}
}

func setVariable(a *pb.Argument, k events.ArgKind, b []byte) {
	switch k {
	case events.ArgStr:
		a.Value = &pb.Argument_Str{Str: validString(b)}
		if s := cut(b); !utf8.Valid(s) {
			a.Raw = bytes.Clone(s)
		}
	case events.ArgStrArr:
		a.Value = &pb.Argument_StrArray{StrArray: &pb.StringArray{Values: splitNul(b)}}
		if !utf8.Valid(b) {
			a.Raw = bytes.Clone(b)
		}
	case events.ArgSockaddr:
		if sa, err := render.SockAddr(b); err == nil {
			a.Value = &pb.Argument_Sockaddr{Sockaddr: sa}
		} else {
			a.Value = &pb.Argument_Bytes{Bytes: bytes.Clone(b)}
		}
	default:
		a.Value = &pb.Argument_Bytes{Bytes: bytes.Clone(b)}
	}
}

// cString returns the bytes up to the first NUL as valid UTF-8.
func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return validString(b)
}

// cut is b up to its first NUL.
func cut(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

// validString converts kernel bytes to a string protobuf accepts (UTF-8).
// Bytes that are not valid UTF-8 are escaped, losslessly (EscapeInvalid),
// rather than replaced: two names that differ only there stay different.
func validString(b []byte) string {
	b = cut(b)
	if utf8.Valid(b) {
		return string(b)
	}
	return EscapeInvalid(b)
}

// EscapeInvalid writes b as valid UTF-8: valid sequences as they are, every
// other byte as \xNN and a backslash as \\. It is reversible.
func EscapeInvalid(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b) + 8)
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&sb, "\\x%02x", b[0])
		case r == '\\':
			sb.WriteString("\\\\")
		default:
			sb.Write(b[:n])
		}
		b = b[n:]
	}
	return sb.String()
}

// splitNul splits NUL-terminated strings (argv/envp blobs). Only the last
// terminator is dropped, so empty strings survive, trailing ones too
// (argv ["a", ""] is "a\x00\x00"); a last string cut short by the buffer
// limit has no terminator and is kept as it is.
func splitNul(b []byte) []string {
	if len(b) == 0 {
		return []string{}
	}
	b = bytes.TrimSuffix(b, []byte{0})
	n := bytes.Count(b, []byte{0}) + 1
	out := make([]string, 0, min(n, math.MaxInt16))
	for {
		i := bytes.IndexByte(b, 0)
		if i < 0 {
			return append(out, validString(b))
		}
		out = append(out, validString(b[:i]))
		b = b[i+1:]
	}
}
