package filter

import (
	"errors"
	"fmt"
	"math"

	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

// KernelCond is an argument filter in the form the kernel's data filters
// evaluate (bpf/lib/datafilter.h). Exactly one of the three tests is used:
//   - Masks/Vals: the value matches when value&Masks[i] == Vals[i] for some i
//     (equality, flag bits, enum fields);
//   - Range: Lo <= value <= Hi;
//   - Strs: the string equals, starts with or ends with one of them.
//
// Negate inverts Masks/Vals and Strs ("!=").
type KernelCond struct {
	Arg     int // argument index; RetvalArg for the return value
	Signed  bool
	Width32 bool // a 32-bit argument: the kernel compares its low half
	Negate  bool
	Masks   []uint64
	Vals    []uint64
	Range   bool
	Lo, Hi  int64
	Strs    []KernelString
}

// KernelString is one string pattern.
type KernelString struct {
	Text           string
	Prefix, Suffix bool // text*, *text; neither: the whole string
}

// RetvalArg is KernelCond.Arg for the return value.
const RetvalArg = -1

// Kernel limits (DF_MAX_VALS, DF_STR_MAX in bpf/lib/datafilter.h; probes
// checks them against the object it loads).
const (
	KernelMaxVals = 4
	KernelStrMax  = 128
)

// Expr is the filter's text as written.
func (f *ArgFilter) Expr() string { return f.expr }

// Kernel compiles the filter for the kernel, or says why it must run in
// user space.
func (f *ArgFilter) Kernel(d *events.Definition) (KernelCond, error) {
	c := KernelCond{Arg: RetvalArg, Signed: true, Negate: f.op == opNe}
	kind := events.ArgLong
	if f.arg != "" {
		c.Arg = -2
		for i, p := range d.Params {
			if p.Name == f.arg {
				c.Arg = i
			}
		}
		if c.Arg < 0 || c.Arg >= 8 {
			return c, fmt.Errorf("argument %s is not one the kernel records by index", f.arg)
		}
		kind = f.kind
	}
	switch kind {
	case events.ArgStr:
		return f.kernelStrings(c)
	case events.ArgInt:
		c.Width32 = true
	case events.ArgUint:
		c.Width32, c.Signed = true, false
	case events.ArgLong:
	case events.ArgUlong, events.ArgPointer, events.ArgU16, events.ArgBool:
		c.Signed = false
	default:
		return c, fmt.Errorf("%s arguments are filtered in user space", kindName(kind))
	}
	if kind == events.ArgBool {
		for _, v := range f.values {
			if !v.isBool {
				return c, errors.New("not a boolean")
			}
			c.Masks, c.Vals = append(c.Masks, ^uint64(0)), append(c.Vals, b2u(v.b))
		}
		return c, nil
	}
	if f.op != opEq && f.op != opNe {
		v := f.values[0].num
		n, ok := toInt64(v)
		if !ok {
			return c, errors.New("bound out of the signed 64-bit range")
		}
		c.Range, c.Lo, c.Hi = true, math.MinInt64, math.MaxInt64
		if !c.Signed {
			c.Lo, c.Hi = 0, -1 // as unsigned: 0 .. MaxUint64
		}
		switch f.op {
		case opLt:
			c.Hi = n - 1
		case opLe:
			c.Hi = n
		case opGt:
			c.Lo = n + 1
		case opGe:
			c.Lo = n
		}
		if !c.Signed && v.neg {
			return c, errors.New("negative bound on an unsigned argument")
		}
		return c, nil
	}
	if len(f.values) > KernelMaxVals {
		return c, fmt.Errorf("more than %d values", KernelMaxVals)
	}
	for _, v := range f.values {
		switch {
		case v.sym:
			c.Masks, c.Vals = append(c.Masks, v.mask), append(c.Vals, v.bits&v.mask)
		case v.isNum:
			raw := v.num.abs
			if v.num.neg {
				raw = -v.num.abs
			}
			if c.Width32 {
				raw = uint64(uint32(raw))
				if c.Signed {
					raw = uint64(int64(int32(raw)))
				}
			}
			c.Masks, c.Vals = append(c.Masks, ^uint64(0)), append(c.Vals, raw)
		default:
			return c, fmt.Errorf("%q is not a number or a known name of the argument's values", v.pat.text)
		}
	}
	return c, nil
}

func (f *ArgFilter) kernelStrings(c KernelCond) (KernelCond, error) {
	for _, v := range f.values {
		p := v.pat
		switch {
		case p.prefix && p.suffix:
			return c, errors.New("*contains* patterns run in user space")
		case !p.prefix && !p.suffix && len(p.text) >= KernelStrMax:
			return c, fmt.Errorf("a string of %d bytes or more compared whole", KernelStrMax)
		case len(p.text) > KernelStrMax:
			return c, fmt.Errorf("a pattern longer than %d bytes", KernelStrMax)
		}
		c.Strs = append(c.Strs, KernelString{Text: p.text, Prefix: p.prefix, Suffix: p.suffix})
	}
	return c, nil
}

func toInt64(n number) (int64, bool) {
	if n.neg {
		if n.abs > 1<<63 {
			return 0, false
		}
		return -int64(n.abs-1) - 1, true
	}
	if n.abs > math.MaxInt64 {
		return 0, false
	}
	return int64(n.abs), true
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

func kindName(k events.ArgKind) string {
	switch k {
	case events.ArgStrArr:
		return "string-array"
	case events.ArgSockaddr:
		return "socket-address"
	case events.ArgBytes:
		return "byte-buffer"
	}
	return fmt.Sprintf("kind-%d", k)
}
