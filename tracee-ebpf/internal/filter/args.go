package filter

import (
	"fmt"
	"strconv"
	"strings"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/render"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

type op int

const (
	opEq op = iota
	opNe
	opLt
	opGt
	opLe
	opGe
)

var opText = map[op]string{opEq: "=", opNe: "!=", opLt: "<", opGt: ">", opLe: "<=", opGe: ">="}

// number is a signed or unsigned 64-bit integer.
type number struct {
	neg bool   // value < 0
	abs uint64 // magnitude
}

func parseNumber(s string) (number, bool) {
	if i, err := strconv.ParseInt(s, 0, 64); err == nil {
		if i < 0 {
			return number{neg: true, abs: uint64(-(i + 1)) + 1}, true
		}
		return number{abs: uint64(i)}, true
	}
	if u, err := strconv.ParseUint(s, 0, 64); err == nil {
		return number{abs: u}, true
	}
	return number{}, false
}

func intNumber(i int64) number {
	if i < 0 {
		return number{neg: true, abs: uint64(-(i + 1)) + 1}
	}
	return number{abs: uint64(i)}
}

func (a number) cmp(b number) int {
	switch {
	case a.neg && !b.neg:
		return -1
	case !a.neg && b.neg:
		return 1
	}
	c := 0
	if a.abs < b.abs {
		c = -1
	} else if a.abs > b.abs {
		c = 1
	}
	if a.neg {
		c = -c
	}
	return c
}

// pattern is one value of an equality filter on a string: exact, prefix*,
// *suffix or *contains*.
type pattern struct {
	text           string
	prefix, suffix bool // text* / *text
}

func parsePattern(s string) (pattern, error) {
	p := pattern{text: s}
	if strings.HasPrefix(p.text, "*") {
		p.suffix = true
		p.text = p.text[1:]
	}
	if strings.HasSuffix(p.text, "*") {
		p.prefix = true
		p.text = p.text[:len(p.text)-1]
	}
	if strings.Contains(p.text, "*") {
		return p, fmt.Errorf("%q: only prefix*, *suffix and *contains* patterns are supported", s)
	}
	return p, nil
}

func (p pattern) match(s string) bool {
	switch {
	case p.prefix && p.suffix:
		return strings.Contains(s, p.text)
	case p.prefix:
		return strings.HasPrefix(s, p.text)
	case p.suffix:
		return strings.HasSuffix(s, p.text)
	}
	return s == p.text
}

// filterValue is one comma-separated value of an argument filter.
type filterValue struct {
	num   number
	isNum bool
	// sym: a symbolic flag or enum name resolved through the argument's
	// format: the value matches when value&mask == bits.
	sym        bool
	bits, mask uint64
	pat        pattern
	isBool     bool
	b          bool
}

// ArgFilter is one expression on one argument (or the return value) of
// one event. Values are OR-ed for "=", and "!=" passes when none matches.
type ArgFilter struct {
	expr   string
	event  events.ID
	arg    string // "" for the return value
	kind   events.ArgKind
	format string // the argument's symbolic format ("open_flags"), "" for none
	op     op
	values []filterValue
}

func (f *ArgFilter) Match(ev *pb.Event) bool {
	if f.arg == "" {
		return f.apply(func(v filterValue) int { return intNumber(ev.GetReturnValue()).cmp(v.num) }, func(filterValue) bool { return false })
	}
	a := ev.GetArg(f.arg)
	if a == nil {
		return false // the argument is missing: the filter cannot be satisfied
	}
	return f.matchArg(a)
}

// apply runs the operator: cmp compares the event's value with a numeric
// filter value; eq decides equality for non-numeric values.
func (f *ArgFilter) apply(cmp func(filterValue) int, eq func(filterValue) bool) bool {
	equal := func(v filterValue) bool {
		if v.isNum || v.sym {
			return cmp(v) == 0
		}
		return eq(v)
	}
	switch f.op {
	case opEq:
		for _, v := range f.values {
			if equal(v) {
				return true
			}
		}
		return false
	case opNe:
		for _, v := range f.values {
			if equal(v) {
				return false
			}
		}
		return true
	}
	c := cmp(f.values[0])
	switch f.op {
	case opLt:
		return c < 0
	case opGt:
		return c > 0
	case opLe:
		return c <= 0
	case opGe:
		return c >= 0
	}
	return false
}

func (f *ArgFilter) matchArg(a *pb.Argument) bool {
	switch v := a.GetValue().(type) {
	case *pb.Argument_Int, *pb.Argument_Uint:
		var n number
		if i, ok := v.(*pb.Argument_Int); ok {
			n = intNumber(i.Int)
		} else {
			n = number{abs: v.(*pb.Argument_Uint).Uint}
		}
		return f.apply(func(fv filterValue) int {
			if fv.sym {
				raw := n.abs
				if n.neg {
					raw = -n.abs // two's complement of the magnitude
				}
				if raw&fv.mask == fv.bits {
					return 0
				}
				return 1
			}
			return n.cmp(fv.num)
		}, func(fv filterValue) bool { return matchRepr(fv.pat, a.GetRepr()) })
	case *pb.Argument_Str:
		return f.apply(nil, func(fv filterValue) bool { return fv.pat.match(v.Str) })
	case *pb.Argument_StrArray:
		return f.apply(nil, func(fv filterValue) bool {
			for _, s := range v.StrArray.GetValues() {
				if fv.pat.match(s) {
					return true
				}
			}
			return false
		})
	case *pb.Argument_Sockaddr:
		sa := v.Sockaddr
		return f.apply(nil, func(fv filterValue) bool {
			if sa.GetPath() != "" {
				return fv.pat.match(sa.GetPath())
			}
			return fv.pat.match(sa.GetIp()) || fv.pat.match(sa.GetIp()+":"+strconv.FormatUint(uint64(sa.GetPort()), 10))
		})
	case *pb.Argument_Bool:
		return f.apply(nil, func(fv filterValue) bool { return fv.isBool && fv.b == v.Bool })
	}
	// No value (failed read) or an unfilterable kind: "!=" passes, others fail.
	return f.op == opNe
}

// matchRepr matches a symbolic value: the whole repr, or one of its
// "|"-separated flags ("O_CREAT" matches "O_RDWR|O_CREAT").
func matchRepr(p pattern, repr string) bool {
	if repr == "" {
		return false
	}
	if p.match(repr) {
		return true
	}
	for part := range strings.SplitSeq(repr, "|") {
		if p.match(part) {
			return true
		}
	}
	return false
}

// newArgFilter validates an argument filter against the parameter kind.
func newArgFilter(expr string, ev *events.Definition, arg string, o op, vals []string) (*ArgFilter, error) {
	f := &ArgFilter{expr: expr, event: ev.ID, op: o}
	numeric := true
	if arg != "retval" {
		var param *events.Param
		names := make([]string, 0, len(ev.Params))
		for i := range ev.Params {
			names = append(names, ev.Params[i].Name)
			if ev.Params[i].Name == arg {
				param = &ev.Params[i]
			}
		}
		if param == nil {
			return nil, fmt.Errorf("event %s has no argument %q (arguments: %s, or retval)", ev.Name, arg, strings.Join(names, ", "))
		}
		f.arg = arg
		f.kind = param.Kind
		f.format = param.Format
		switch param.Kind {
		case events.ArgStr, events.ArgStrArr, events.ArgSockaddr, events.ArgBool:
			numeric = false
		case events.ArgBytes:
			return nil, fmt.Errorf("argument %s of %s is a byte buffer and cannot be filtered", arg, ev.Name)
		}
	}
	if !numeric && o != opEq && o != opNe {
		return nil, fmt.Errorf("argument %s of %s is not a number: only = and != apply, not %s", arg, ev.Name, opText[o])
	}
	if (o != opEq && o != opNe) && len(vals) != 1 {
		return nil, fmt.Errorf("%s takes a single value", opText[o])
	}
	for _, s := range vals {
		var fv filterValue
		switch {
		case f.kind == events.ArgBool && f.arg != "":
			b, err := strconv.ParseBool(s)
			if err != nil {
				return nil, fmt.Errorf("argument %s of %s expects true or false, not %q", arg, ev.Name, s)
			}
			fv.isBool, fv.b = true, b
		case numeric:
			if n, ok := parseNumber(s); ok {
				fv.num, fv.isNum = n, true
			} else if o != opEq && o != opNe {
				return nil, fmt.Errorf("%s %s expects a number, not %q", arg, opText[o], s)
			} else if f.arg == "" {
				return nil, fmt.Errorf("retval expects a number, not %q", s)
			} else if bits, mask, ok := render.Symbol(f.format, s); ok {
				fv.sym, fv.bits, fv.mask = true, bits, mask
			} else {
				p, err := parsePattern(s)
				if err != nil {
					return nil, err
				}
				fv.pat = p // a symbolic value, compared with the repr
			}
		default:
			p, err := parsePattern(s)
			if err != nil {
				return nil, err
			}
			fv.pat = p
		}
		f.values = append(f.values, fv)
	}
	return f, nil
}
