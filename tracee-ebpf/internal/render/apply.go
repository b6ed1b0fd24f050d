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
		var arg *traceepb.Argument
		if i < len(ev.Args) && ev.Args[i].GetName() == p.Name {
			arg = ev.Args[i] // the usual place: no search
		} else {
			arg = ev.GetArg(p.Name)
		}
		v, ok := traceepb.ArgValue[uint64](arg)
		if !ok {
			continue
		}
		arg.Repr = f.render(v, kindWidth(p.Kind))
	}
}

// kindWidth is the width in bits of an integer kind (64 for others).
func kindWidth(k events.ArgKind) int {
	if s := k.Size(); s > 0 {
		return s * 8
	}
	return 64
}
