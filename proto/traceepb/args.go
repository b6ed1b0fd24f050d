package traceepb

// Typed access to an event's arguments by name: the one implementation the
// tracer, the signatures (through pkg/sdk) and the outputs share.

// ArgType is what an argument's value can be read as.
type ArgType interface {
	int64 | uint64 | string | bool | []string | []byte | *SockAddr
}

// GetArg returns the argument called name, or nil (also on a nil event).
func (x *Event) GetArg(name string) *Argument {
	if x == nil {
		return nil
	}
	for _, a := range x.Args {
		if a != nil && a.Name == name {
			return a
		}
	}
	return nil
}

// Arg returns the value of ev's argument called name as T. Integers read as
// int64 or uint64 whichever they carry (converted as Go converts); ok is
// false when the argument is missing or holds another type (a flag that
// arrived from JSON as its repr only holds no number).
func Arg[T ArgType](ev *Event, name string) (v T, ok bool) {
	return ArgValue[T](ev.GetArg(name))
}

// ArgValue is Arg for an argument already at hand.
func ArgValue[T ArgType](a *Argument) (v T, ok bool) {
	if a == nil {
		return v, false
	}
	switch p := any(&v).(type) {
	case *int64:
		switch x := a.Value.(type) {
		case *Argument_Int:
			*p, ok = x.Int, true
		case *Argument_Uint:
			*p, ok = int64(x.Uint), true
		}
	case *uint64:
		switch x := a.Value.(type) {
		case *Argument_Uint:
			*p, ok = x.Uint, true
		case *Argument_Int:
			*p, ok = uint64(x.Int), true
		}
	case *string:
		if x, is := a.Value.(*Argument_Str); is {
			*p, ok = x.Str, true
		}
	case *bool:
		if x, is := a.Value.(*Argument_Bool); is {
			*p, ok = x.Bool, true
		}
	case *[]string:
		if x, is := a.Value.(*Argument_StrArray); is {
			*p, ok = x.StrArray.GetValues(), true
		}
	case *[]byte:
		if x, is := a.Value.(*Argument_Bytes); is {
			*p, ok = x.Bytes, true
		}
	case **SockAddr:
		if x, is := a.Value.(*Argument_Sockaddr); is && x.Sockaddr != nil {
			*p, ok = x.Sockaddr, true
		}
	}
	return v, ok
}

// Text is how Tracee prints a flag or enum argument: its repr when it has
// one, else its string value; ok is false when it has neither.
func (x *Argument) Text() (string, bool) {
	if x == nil {
		return "", false
	}
	if x.Repr != "" {
		return x.Repr, true
	}
	if s, is := x.Value.(*Argument_Str); is {
		return s.Str, true
	}
	return "", false
}
