package sdk

import (
	"strings"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

// The accessors are thin wrappers of traceepb's generic ones (pb.Arg[T],
// Event.GetArg, Argument.Text), shared with tracee-ebpf.

// GetArg returns the argument called name, or nil when the event has none.
func GetArg(ev *pb.Event, name string) *pb.Argument { return ev.GetArg(name) }

// ArgInt returns an integer argument as int64. Unsigned values are converted
// (wrapping above MaxInt64). ok is false when the argument is missing or carries
// no integer value (for example a flag that arrived from JSON as its repr only).
func ArgInt(ev *pb.Event, name string) (int64, bool) { return pb.Arg[int64](ev, name) }

// ArgUint returns an integer argument as uint64 (signed values are converted).
func ArgUint(ev *pb.Event, name string) (uint64, bool) { return pb.Arg[uint64](ev, name) }

// ArgString returns the argument's repr when it has one, else its string value.
func ArgString(ev *pb.Event, name string) (string, bool) { return ev.GetArg(name).Text() }

// ArgStrings returns a string-array argument.
func ArgStrings(ev *pb.Event, name string) ([]string, bool) { return pb.Arg[[]string](ev, name) }

// ArgSockAddr returns a socket-address argument.
func ArgSockAddr(ev *pb.Event, name string) (*pb.SockAddr, bool) {
	return pb.Arg[*pb.SockAddr](ev, name)
}

// ArgBool returns a boolean argument.
func ArgBool(ev *pb.Event, name string) (bool, bool) { return pb.Arg[bool](ev, name) }

// ArgBytes returns a byte-buffer argument.
func ArgBytes(ev *pb.Event, name string) ([]byte, bool) { return pb.Arg[[]byte](ev, name) }

// ArgIs reports whether an enum argument equals value, or, when the argument
// carries no number (JSON input may carry only the symbol), whether its repr
// or string value equals sym. Either way of comparing can be disabled: pass a
// negative value to compare symbols only, or "" as sym to compare numbers only.
func ArgIs(ev *pb.Event, name string, value int64, sym string) bool {
	a := GetArg(ev, name)
	if a == nil {
		return false
	}
	switch x := a.GetValue().(type) {
	case *pb.Argument_Int:
		if value >= 0 {
			return x.Int == value
		}
	case *pb.Argument_Uint:
		if value >= 0 {
			return x.Uint == uint64(value)
		}
	}
	if sym == "" {
		return false
	}
	text, ok := a.Text()
	return ok && text == sym
}

// ArgHasFlag reports whether a flag argument has bit set, using the number when
// the argument carries one and otherwise looking for sym among the
// "|"-separated names of its repr (or string value).
func ArgHasFlag(ev *pb.Event, name string, bit uint64, sym string) bool {
	a := GetArg(ev, name)
	if a == nil {
		return false
	}
	switch x := a.GetValue().(type) {
	case *pb.Argument_Int:
		return uint64(x.Int)&bit != 0
	case *pb.Argument_Uint:
		return x.Uint&bit != 0
	}
	r, ok := a.Text()
	return ok && HasFlagName(r, sym)
}

// HasFlagName reports whether sym is one of the "|"-separated names in repr
// ("O_WRONLY|O_CREAT" has "O_CREAT"; surrounding spaces are ignored).
func HasFlagName(repr, sym string) bool {
	if sym == "" {
		return false
	}
	for repr != "" {
		var tok string
		tok, repr, _ = strings.Cut(repr, "|")
		if strings.TrimSpace(tok) == sym {
			return true
		}
	}
	return false
}
