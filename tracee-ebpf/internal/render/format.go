package render

import (
	"fmt"
	"math/bits"
	"slices"
	"sort"
	"strings"
)

// flag is one named bit pattern. A pattern of several bits (O_SYNC) matches
// only when all of them are set, and wins over its single bits.
type flag struct {
	bits uint64
	name string
}

// field is an enumerated sub-field of a flag word (the O_ACCMODE bits of open
// flags, the SOCK_TYPE bits of a socket type, CSIGNAL of clone flags).
type field struct {
	mask  uint64
	names map[uint64]string // value (already masked) -> name; 0 without a name prints nothing
}

// flagFormat renders a bit set: field first, then the flags in table order,
// then any unknown bits as hex.
type flagFormat struct {
	zero  string // name of the value 0 when there is no field ("PROT_NONE")
	field *field
	flags []flag
	order []int // indices of flags, most bits first (computed once)
}

func newFlags(zero string, f *field, flags []flag) *flagFormat {
	ff := &flagFormat{zero: zero, field: f, flags: flags}
	ff.order = make([]int, len(flags))
	for i := range flags {
		ff.order[i] = i
	}
	sort.SliceStable(ff.order, func(a, b int) bool {
		return bits.OnesCount64(flags[ff.order[a]].bits) > bits.OnesCount64(flags[ff.order[b]].bits)
	})
	return ff
}

func (ff *flagFormat) render(v uint64) string {
	if v == 0 && ff.field == nil {
		return ff.zero
	}
	var parts []string
	rest := v
	if ff.field != nil {
		fv := v & ff.field.mask
		rest &^= ff.field.mask
		if name, ok := ff.field.names[fv]; ok {
			if name != "" {
				parts = append(parts, name)
			}
		} else {
			parts = append(parts, fmt.Sprintf("%#x", fv))
		}
	}
	matched := make([]bool, len(ff.flags))
	for _, i := range ff.order {
		b := ff.flags[i].bits
		if b != 0 && rest&b == b {
			matched[i] = true
			rest &^= b
		}
	}
	for i, m := range matched {
		if m {
			parts = append(parts, ff.flags[i].name)
		}
	}
	if rest != 0 {
		parts = append(parts, fmt.Sprintf("%#x", rest))
	}
	return strings.Join(parts, "|")
}

// enumFormat renders one value from a table; fallback, when set, names
// values outside it (SIGRTMIN+n); values without a name render as "".
type enumFormat struct {
	names    map[int64]string
	fallback func(int64) string
}

func (ef *enumFormat) render(v int64) string {
	if name, ok := ef.names[v]; ok {
		return name
	}
	if ef.fallback != nil {
		return ef.fallback(v)
	}
	return ""
}

// format is one named renderer: exactly one of flags and enum is set.
type format struct {
	flags *flagFormat
	enum  *enumFormat
}

// Format renders v with the named format. bits is the width of the
// argument (32 for int/uint kinds, 64 for long/ulong): flag words are
// zero-extended from it and enum values sign-extended. It returns "" when
// the value has no symbolic form, and an error for an unknown format.
func Format(name string, v uint64, width int) (string, error) {
	f, ok := formats[name]
	if !ok {
		return "", fmt.Errorf("render: unknown format %q", name)
	}
	return f.render(v, width), nil
}

func (f format) render(v uint64, width int) string {
	if width > 0 && width < 64 {
		v &= 1<<width - 1
	}
	if f.flags != nil {
		return f.flags.render(v)
	}
	s := int64(v)
	if width > 0 && width < 64 && v&(1<<(width-1)) != 0 {
		s = int64(v | ^uint64(1<<width-1))
	}
	return f.enum.render(s)
}

// Formats returns the names of all formats, sorted.
func Formats() []string {
	names := make([]string, 0, len(formats))
	for n := range formats {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Known reports whether a format name exists.
func Known(name string) bool {
	_, ok := formats[name]
	return ok
}

// enumOf builds an enum table from a name list indexed by value ("" = gap).
func enumOf(names []string) map[int64]string {
	m := make(map[int64]string, len(names))
	for i, n := range names {
		if n != "" {
			m[int64(i)] = n
		}
	}
	return m
}

// valuesOf builds an enum table from explicit value/name pairs.
type named struct {
	v    int64
	name string
}

func valuesOf(list []named) map[int64]string {
	m := make(map[int64]string, len(list))
	for _, n := range list {
		m[n.v] = n.name
	}
	return m
}

// Symbol resolves a symbolic name of a format to a test on the raw value:
// the value matches when v&mask == val. An enum name is its value (all bits
// compared); a flag name is its bits (PROT_EXEC: 0x4/0x4); the name of a
// field value is that value under the field's mask (O_WRONLY: 0x1/0x3).
func Symbol(format, name string) (val, mask uint64, ok bool) {
	f, known := formats[format]
	if !known {
		return 0, 0, false
	}
	if f.enum != nil {
		for v, n := range f.enum.names {
			if n == name {
				return uint64(v), ^uint64(0), true
			}
		}
		return 0, 0, false
	}
	ff := f.flags
	if ff.field != nil {
		for v, n := range ff.field.names {
			if n == name {
				return v, ff.field.mask, true
			}
		}
	}
	for _, fl := range ff.flags {
		if fl.name == name {
			return fl.bits, fl.bits, true
		}
	}
	if ff.zero != "" && ff.zero == name {
		return 0, ^uint64(0), true
	}
	return 0, 0, false
}
