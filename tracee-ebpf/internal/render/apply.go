package render

import (
	"github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

// Apply sets Argument.Repr for every argument of ev whose parameter in def
// has a Format. Arguments are matched by position when the names agree,
// else by name; arguments that are missing or not integers are left alone,
// as are formats this package does not know (the events tests make sure
// every format in the schema is known).
func Apply(def *events.Definition, ev *traceepb.Event) {
	if def == nil || ev == nil {
		return
	}
	for i := range def.Params {
		p := &def.Params[i]
		if p.Format == "" {
			continue
		}
		f, ok := formats[p.Format]
		if !ok {
			continue
		}
		arg := findArg(ev.Args, i, p.Name)
		if arg == nil {
			continue
		}
		var v uint64
		switch x := arg.Value.(type) {
		case *traceepb.Argument_Int:
			v = uint64(x.Int)
		case *traceepb.Argument_Uint:
			v = x.Uint
		default:
			continue
		}
		arg.Repr = f.render(v, kindWidth(p.Kind))
	}
}

func findArg(args []*traceepb.Argument, i int, name string) *traceepb.Argument {
	if i < len(args) && args[i] != nil && args[i].Name == name {
		return args[i]
	}
	for _, a := range args {
		if a != nil && a.Name == name {
			return a
		}
	}
	return nil
}

// kindWidth is the width in bits of an integer kind (64 for others).
func kindWidth(k events.ArgKind) int {
	if s := k.Size(); s > 0 {
		return s * 8
	}
	return 64
}
