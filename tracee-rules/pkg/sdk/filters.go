package sdk

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

// DataFilter is one parsed entry of SelectedEvent.Filters:
// "data.NAME<op>v1,v2" or "retval<op>v" with op one of = != < > <= >=.
type DataFilter struct {
	Arg    string // argument name; "" for the return value
	Op     string
	Values []string
}

var filterOps = []string{"!=", "<=", ">=", "=", "<", ">"}

// ParseDataFilter parses one data filter in Tracee's policy syntax.
func ParseDataFilter(s string) (DataFilter, error) {
	i := strings.IndexAny(s, "=!<>")
	if i <= 0 {
		return DataFilter{}, fmt.Errorf("data filter %q: want data.NAME=VALUE or retval<op>VALUE", s)
	}
	var f DataFilter
	field := strings.TrimSpace(s[:i])
	switch {
	case field == "retval":
	case strings.HasPrefix(field, "data.") && len(field) > len("data."):
		f.Arg = field[len("data."):]
	case strings.HasPrefix(field, "args.") && len(field) > len("args."):
		f.Arg = field[len("args."):]
	default:
		return f, fmt.Errorf("data filter %q: field %q is neither data.NAME nor retval", s, field)
	}
	for _, op := range filterOps {
		if strings.HasPrefix(s[i:], op) {
			f.Op = op
			break
		}
	}
	if f.Op == "" {
		return f, fmt.Errorf("data filter %q: bad operator", s)
	}
	rest := s[i+len(f.Op):]
	if rest == "" {
		return f, fmt.Errorf("data filter %q: missing value", s)
	}
	f.Values = strings.Split(rest, ",")
	for _, v := range f.Values {
		if v == "" {
			return f, fmt.Errorf("data filter %q: empty value in list", s)
		}
	}
	if f.Op != "=" && f.Op != "!=" {
		if len(f.Values) != 1 {
			return f, fmt.Errorf("data filter %q: %s takes one value", s, f.Op)
		}
		if _, err := strconv.ParseInt(f.Values[0], 0, 64); err != nil {
			return f, fmt.Errorf("data filter %q: %s needs a number", s, f.Op)
		}
	}
	return f, nil
}

// errUnknown means the filter cannot tell from the event (a symbolic value
// against an argument that carries only its number): it counts as passing.
var errUnknown = errors.New("cannot tell")

// Match reports whether ev passes the filter. A filter that cannot be
// decided from the event (a flag name against a bare number) passes.
func (f DataFilter) Match(ev *pb.Event) bool {
	if f.Arg == "" {
		return f.matchNum(ev.GetReturnValue(), true, "")
	}
	a := GetArg(ev, f.Arg)
	if a == nil {
		return f.Op == "!="
	}
	switch v := a.GetValue().(type) {
	case *pb.Argument_Int:
		return f.matchNum(v.Int, true, a.GetRepr())
	case *pb.Argument_Uint:
		return f.matchNum(int64(v.Uint), false, a.GetRepr())
	}
	if f.numeric() {
		return true // numbers against a symbol-only (JSON) argument: cannot tell
	}
	if s, ok := a.GetValue().(*pb.Argument_Str); ok {
		return f.matchStr(s.Str)
	}
	if a.GetRepr() != "" {
		return f.matchStr(a.GetRepr())
	}
	return true
}

// numeric reports whether every value is a number.
func (f DataFilter) numeric() bool {
	for _, v := range f.Values {
		if _, err := strconv.ParseInt(v, 0, 64); err != nil {
			return false
		}
	}
	return true
}

// Requested is Wants without StreamOnly entries: whether tracee-ebpf,
// running the policy built from sel, delivers ev.
func Requested(sel []SelectedEvent, ev *pb.Event) (bool, error) {
	var req []SelectedEvent
	for _, s := range sel {
		if !s.StreamOnly {
			req = append(req, s)
		}
	}
	return Wants(req, ev)
}

func (f DataFilter) matchNum(n int64, signed bool, repr string) bool {
	cmp := func(s string) (int, error) {
		x, err := strconv.ParseInt(s, 0, 64)
		if err != nil {
			u, uerr := strconv.ParseUint(s, 0, 64)
			if uerr != nil {
				return 0, errUnknown
			}
			x = int64(u)
		}
		switch {
		case signed && n < x, !signed && uint64(n) < uint64(x):
			return -1, nil
		case n == x:
			return 0, nil
		}
		return 1, nil
	}
	eq := func(s string) (bool, error) {
		if c, err := cmp(s); err == nil {
			return c == 0, nil
		}
		if repr == "" {
			return false, errUnknown
		}
		return repr == s || HasFlagName(repr, s), nil
	}
	switch f.Op {
	case "=", "!=":
		any, unknown := false, false
		for _, s := range f.Values {
			ok, err := eq(s)
			unknown = unknown || err != nil
			any = any || ok
		}
		if unknown && !any {
			return true
		}
		return any == (f.Op == "=")
	}
	c, err := cmp(f.Values[0])
	if err != nil {
		return true
	}
	switch f.Op {
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	}
	return c >= 0
}

// matchStr compares a string with exact, prefix* and *suffix values.
func (f DataFilter) matchStr(s string) bool {
	hit := false
	for _, v := range f.Values {
		pre, suf := strings.HasSuffix(v, "*"), strings.HasPrefix(v, "*")
		t := strings.TrimSuffix(strings.TrimPrefix(v, "*"), "*")
		switch {
		case pre && suf:
			hit = strings.Contains(s, t)
		case pre:
			hit = strings.HasPrefix(s, t)
		case suf:
			hit = strings.HasSuffix(s, t)
		default:
			hit = s == v || (f.Arg != "" && HasFlagName(s, v)) // a flag among a repr's names
		}
		if hit {
			break
		}
	}
	return hit == (f.Op != "!=")
}

// Wants reports whether sel asks for ev: an entry of its name (or "*")
// whose filters all pass, or a StreamOnly entry. A filter that does not
// parse is an error.
func Wants(sel []SelectedEvent, ev *pb.Event) (bool, error) {
	for _, s := range sel {
		if s.Name != "*" && s.Name != ev.GetEventName() {
			continue
		}
		if s.StreamOnly {
			return true, nil
		}
		pass := true
		for _, raw := range s.Filters {
			f, err := ParseDataFilter(raw)
			if err != nil {
				return false, err
			}
			if !f.Match(ev) {
				pass = false
				break
			}
		}
		if pass {
			return true, nil
		}
	}
	return false, nil
}
