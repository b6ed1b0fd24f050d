package sdk

import (
	"strings"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

// GetArg returns the argument called name, or nil when the event has none.
func GetArg(ev *pb.Event, name string) *pb.Argument {
	if ev == nil {
		return nil
	}
	for _, a := range ev.Args {
		if a.GetName() == name {
			return a
		}
	}
	return nil
}

// ArgInt returns an integer argument as int64. Unsigned values are converted
// (wrapping above MaxInt64). ok is false when the argument is missing or carries
// no integer value (for example a flag that arrived from JSON as its repr only).
func ArgInt(ev *pb.Event, name string) (v int64, ok bool) {
	switch x := GetArg(ev, name).GetValue().(type) {
	case *pb.Argument_Int:
		return x.Int, true
	case *pb.Argument_Uint:
		return int64(x.Uint), true
	}
	return 0, false
}

// ArgUint returns an integer argument as uint64 (signed values are converted).
func ArgUint(ev *pb.Event, name string) (v uint64, ok bool) {
	switch x := GetArg(ev, name).GetValue().(type) {
	case *pb.Argument_Uint:
		return x.Uint, true
	case *pb.Argument_Int:
		return uint64(x.Int), true
	}
	return 0, false
}

// ArgString returns the argument's repr when it has one, else its string value.
func ArgString(ev *pb.Event, name string) (string, bool) {
	a := GetArg(ev, name)
	if a == nil {
		return "", false
	}
	if a.Repr != "" {
		return a.Repr, true
	}
	if s, ok := a.GetValue().(*pb.Argument_Str); ok {
		return s.Str, true
	}
	return "", false
}

// ArgStrings returns a string-array argument.
func ArgStrings(ev *pb.Event, name string) ([]string, bool) {
	if sa, ok := GetArg(ev, name).GetValue().(*pb.Argument_StrArray); ok {
		return sa.StrArray.GetValues(), true
	}
	return nil, false
}

// ArgSockAddr returns a socket-address argument.
func ArgSockAddr(ev *pb.Event, name string) (*pb.SockAddr, bool) {
	if sa, ok := GetArg(ev, name).GetValue().(*pb.Argument_Sockaddr); ok && sa.Sockaddr != nil {
		return sa.Sockaddr, true
	}
	return nil, false
}

// ArgBool returns a boolean argument.
func ArgBool(ev *pb.Event, name string) (v bool, ok bool) {
	if b, ok := GetArg(ev, name).GetValue().(*pb.Argument_Bool); ok {
		return b.Bool, true
	}
	return false, false
}

// ArgBytes returns a byte-buffer argument.
func ArgBytes(ev *pb.Event, name string) ([]byte, bool) {
	if b, ok := GetArg(ev, name).GetValue().(*pb.Argument_Bytes); ok {
		return b.Bytes, true
	}
	return nil, false
}

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
	if a.Repr != "" {
		return a.Repr == sym
	}
	s, ok := a.GetValue().(*pb.Argument_Str)
	return ok && s.Str == sym
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
	r := a.Repr
	if r == "" {
		s, ok := a.GetValue().(*pb.Argument_Str)
		if !ok {
			return false
		}
		r = s.Str
	}
	return HasFlagName(r, sym)
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
