package filter

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

// ExprError reports a bad --trace expression.
type ExprError struct {
	Expr string
	Err  error
}

func (e *ExprError) Error() string { return fmt.Sprintf("--trace %q: %v", e.Expr, e.Err) }
func (e *ExprError) Unwrap() error { return e.Err }

// DefaultSet is selected when no event is named.
const DefaultSet = "default"

// maxPID is PID_MAX_LIMIT on 64-bit kernels.
const maxPID = 4 << 20

const commLen = 15 // TASK_COMM_LEN - 1

// Parse turns --trace expressions into a Policy. avail tells which kernel
// facilities exist ({"kprobe": true, "lsm": false}); a requirement missing
// from avail (or a nil avail) counts as available. An event named explicitly
// whose requirement is unavailable is an error; one reached through a set,
// a glob or the default set is left out and listed in Policy.Skipped.
func Parse(exprs []string, cat Catalog, avail map[string]bool) (*Policy, error) {
	p := &parser{cat: cat, avail: avail, pol: &Policy{args: map[events.ID][]*ArgFilter{}},
		include: map[events.ID]bool{}, exclude: map[events.ID]bool{}, explicit: map[events.ID]string{}}
	for _, raw := range exprs {
		expr := strings.TrimSpace(raw)
		if err := p.expr(expr); err != nil {
			return nil, &ExprError{Expr: raw, Err: err}
		}
	}
	if err := p.finish(); err != nil {
		return nil, err
	}
	return p.pol, nil
}

type parser struct {
	cat      Catalog
	avail    map[string]bool
	pol      *Policy
	include  map[events.ID]bool
	exclude  map[events.ID]bool
	explicit map[events.ID]string // id -> expression that named it
}

var ops = []struct {
	text string
	op   op
}{{"!=", opNe}, {">=", opGe}, {"<=", opLe}, {"=", opEq}, {"<", opLt}, {">", opGt}}

// split cuts "key<op>values" at the first operator.
func split(expr string) (key string, o op, vals []string, err error) {
	i := strings.IndexAny(expr, "=!<>")
	if i <= 0 {
		return "", 0, nil, errors.New("expected KEY=VALUE (or !=, <, >, <=, >=), or one of: follow, container, !container")
	}
	key = expr[:i]
	found := false
	for _, c := range ops {
		if strings.HasPrefix(expr[i:], c.text) {
			o, found = c.op, true
			expr = expr[i+len(c.text):]
			break
		}
	}
	if !found {
		return "", 0, nil, fmt.Errorf("bad operator after %q", key)
	}
	if expr == "" {
		return "", 0, nil, fmt.Errorf("%s: missing value", key)
	}
	vals = strings.Split(expr, ",")
	for _, v := range vals {
		if strings.TrimSpace(v) == "" {
			return "", 0, nil, fmt.Errorf("%s: empty value in list", key)
		}
	}
	return strings.TrimSpace(key), o, vals, nil
}

func (p *parser) expr(expr string) error {
	switch expr {
	case "":
		return errors.New("empty expression")
	case "follow":
		p.pol.Kernel.Follow = true
		return nil
	case "container":
		return p.setContainer(true)
	case "!container":
		return p.setContainer(false)
	}
	key, o, vals, err := split(expr)
	if err != nil {
		return err
	}
	k := &p.pol.Kernel
	switch key {
	case "event":
		return p.events(o, vals)
	case "set":
		return p.sets(o, vals)
	case "pid":
		if o == opEq && len(vals) == 1 && vals[0] == "new" {
			k.NewPID = true
			return nil
		}
		return andNum(&k.PID, "pid", o, vals, maxPID)
	case "tree":
		if o != opEq {
			return errors.New("tree only takes =")
		}
		for _, v := range vals {
			n, err := strconv.ParseUint(v, 10, 32)
			if err != nil || n == 0 || n > maxPID {
				return fmt.Errorf("tree expects process ids (1..%d), not %q", maxPID, v)
			}
			if !slices.Contains(k.Tree, uint32(n)) {
				k.Tree = append(k.Tree, uint32(n))
			}
		}
		return nil
	case "uid":
		return andNum(&k.UID, "uid", o, vals, math.MaxUint32)
	case "mntns", "pidns":
		if o != opEq && o != opNe {
			return fmt.Errorf("%s only takes = or != (namespace ids have no order)", key)
		}
		if key == "mntns" {
			return andNum(&k.MntNS, key, o, vals, math.MaxUint32)
		}
		return andNum(&k.PidNS, key, o, vals, math.MaxUint32)
	case "comm":
		return andStr(&k.Comm, "comm", o, vals, commLen)
	case "uts":
		return andStr(&k.UTS, "uts", o, vals, 64)
	case "container":
		if o == opEq && len(vals) == 1 && vals[0] == "new" {
			k.ContainerNew = true
			return p.setContainer(true)
		}
		for _, v := range vals {
			if len(v) < 12 || len(v) > 64 || strings.Trim(strings.ToLower(v), "0123456789abcdef") != "" {
				return fmt.Errorf("container expects new or container ids (12 to 64 hex digits), not %q", v)
			}
		}
		if o == opEq {
			if err := p.setContainer(true); err != nil {
				return err
			}
		}
		return andStr(&p.pol.ContainerIDs, "container", o, lower(vals), 64)
	}
	if slices.Contains(exeKeys, key) {
		return andExe(&k.Exe, key, o, vals)
	}
	if strings.Contains(key, ".") {
		return p.argFilter(expr, key, o, vals)
	}
	return fmt.Errorf("unknown filter %q (expected event, set, pid, tree, uid, comm, mntns, pidns, uts, container, executable, follow, or EVENT.ARG)", key)
}

func lower(vals []string) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = strings.ToLower(v)
	}
	return out
}

func (p *parser) setContainer(v bool) error {
	k := &p.pol.Kernel
	if k.Container != nil && *k.Container != v {
		return errors.New("contradicts an earlier container/!container")
	}
	k.Container = &v
	return nil
}

// andNum ANDs one numeric expression into f.
func andNum(f *NumFilter, key string, o op, vals []string, max uint64) error {
	nums := make([]uint64, 0, len(vals))
	for _, v := range vals {
		n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
		if err != nil || n > max {
			return fmt.Errorf("%s expects a number (0..%d), not %q", key, max, v)
		}
		nums = append(nums, n)
	}
	if o != opEq && o != opNe && len(nums) != 1 {
		return fmt.Errorf("%s%s takes a single value", key, opText[o])
	}
	switch o {
	case opEq:
		if len(f.Equal) == 0 {
			f.Equal = nums
		} else {
			f.Equal = slices.DeleteFunc(f.Equal, func(x uint64) bool { return !slices.Contains(nums, x) })
			if len(f.Equal) == 0 {
				return fmt.Errorf("%s: no value can also satisfy an earlier %s= expression", key, key)
			}
		}
	case opNe:
		f.NotEqual = append(f.NotEqual, nums...)
	case opLt, opLe:
		n := nums[0]
		if o == opLe {
			n++
		}
		if n == 0 {
			return fmt.Errorf("%s: nothing is below 0", key)
		}
		if f.Less == nil || n < *f.Less {
			f.Less = &n
		}
	case opGt, opGe:
		n := nums[0]
		if o == opGe {
			if n == 0 {
				return nil // >= 0 holds for every value
			}
			n--
		}
		if f.Greater == nil || n > *f.Greater {
			f.Greater = &n
		}
	}
	if f.Less != nil && f.Greater != nil && *f.Greater+1 >= *f.Less {
		return fmt.Errorf("%s: empty range (greater than %d and less than %d)", key, *f.Greater, *f.Less)
	}
	return nil
}

func andStr(f *StringFilter, key string, o op, vals []string, maxLen int) error {
	for _, v := range vals {
		if len(v) > maxLen {
			return fmt.Errorf("%s values are at most %d bytes, %q is longer", key, maxLen, v)
		}
	}
	switch o {
	case opEq:
		if len(f.Equal) == 0 {
			f.Equal = slices.Clone(vals)
		} else {
			f.Equal = slices.DeleteFunc(f.Equal, func(x string) bool { return !slices.Contains(vals, x) })
			if len(f.Equal) == 0 {
				return fmt.Errorf("%s: no value can also satisfy an earlier %s= expression", key, key)
			}
		}
	case opNe:
		f.NotEqual = append(f.NotEqual, vals...)
	default:
		return fmt.Errorf("%s only takes = or !=", key)
	}
	return nil
}

// selectable returns the definition of a user-selectable event.
func (p *parser) lookup(name string) (*events.Definition, error) {
	d, ok := p.cat.ByName(name)
	if !ok || d.Internal {
		return nil, fmt.Errorf("unknown event %q", name)
	}
	return d, nil
}

func (p *parser) matchGlob(glob string) ([]*events.Definition, error) {
	pat, err := parsePattern(glob)
	if err != nil {
		return nil, err
	}
	var out []*events.Definition
	for _, d := range p.cat.All() {
		if !d.Internal && pat.match(d.Name) {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no event matches %q", glob)
	}
	return out, nil
}

func (p *parser) events(o op, vals []string) error {
	if o != opEq && o != opNe {
		return errors.New("event only takes = or !=")
	}
	for _, v := range vals {
		v = strings.TrimSpace(v)
		var defs []*events.Definition
		if strings.Contains(v, "*") {
			ds, err := p.matchGlob(v)
			if err != nil {
				return err
			}
			defs = ds
		} else {
			d, err := p.lookup(v)
			if err != nil {
				return err
			}
			defs = []*events.Definition{d}
			if o == opEq {
				if missing := p.missing(d, nil); len(missing) > 0 {
					return fmt.Errorf("event %s requires %s, which is not available on this system", d.Name, strings.Join(missing, ", "))
				}
				p.explicit[d.ID] = v
			}
		}
		for _, d := range defs {
			if o == opEq {
				p.include[d.ID] = true
			} else {
				p.exclude[d.ID] = true
			}
		}
	}
	return nil
}

func (p *parser) sets(o op, vals []string) error {
	if o != opEq {
		return errors.New("set only takes =")
	}
	for _, v := range vals {
		ds := p.inSet(strings.TrimSpace(v))
		if len(ds) == 0 {
			return fmt.Errorf("unknown event set %q", v)
		}
		for _, d := range ds {
			p.include[d.ID] = true
		}
	}
	return nil
}

func (p *parser) inSet(set string) []*events.Definition {
	var out []*events.Definition
	for _, d := range p.cat.All() {
		if !d.Internal && slices.Contains(d.Sets, set) {
			out = append(out, d)
		}
	}
	return out
}

func (p *parser) argFilter(expr, key string, o op, vals []string) error {
	evName, arg, _ := strings.Cut(key, ".")
	arg = strings.TrimPrefix(arg, "args.")
	if arg == "" || evName == "" {
		return fmt.Errorf("expected EVENT.ARG or EVENT.args.ARG or EVENT.retval, not %q", key)
	}
	d, err := p.lookup(evName)
	if err != nil {
		return err
	}
	if missing := p.missing(d, nil); len(missing) > 0 {
		return fmt.Errorf("event %s requires %s, which is not available on this system", d.Name, strings.Join(missing, ", "))
	}
	f, err := newArgFilter(expr, d, arg, o, vals)
	if err != nil {
		return err
	}
	p.pol.args[d.ID] = append(p.pol.args[d.ID], f)
	p.include[d.ID] = true
	p.explicit[d.ID] = expr
	return nil
}

// missing lists requirements of d (and of the events it derives from)
// that are unavailable.
func (p *parser) missing(d *events.Definition, seen map[string]bool) []string {
	if seen == nil {
		seen = map[string]bool{}
	}
	if seen[d.Name] {
		return nil
	}
	seen[d.Name] = true
	var out []string
	for _, r := range d.Requires {
		if ok, known := p.avail[r]; known && !ok && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	for _, dep := range d.Deps {
		if dd, ok := p.cat.ByName(dep); ok {
			for _, r := range p.missing(dd, seen) {
				if !slices.Contains(out, r) {
					out = append(out, r)
				}
			}
		}
	}
	return out
}

func (p *parser) finish() error {
	if len(p.include) == 0 {
		for _, d := range p.inSet(DefaultSet) {
			p.include[d.ID] = true
		}
		if len(p.include) == 0 {
			return errors.New("--trace: no event requested and the default set is empty")
		}
	}
	byID := map[events.ID]*events.Definition{}
	for _, d := range p.cat.All() {
		byID[d.ID] = d
	}
	sel := map[events.ID]bool{}
	for id := range p.include {
		if p.exclude[id] {
			if expr, ok := p.explicit[id]; ok && len(p.pol.args[id]) > 0 {
				return &ExprError{Expr: expr, Err: fmt.Errorf("filters event %s, which an event!= expression excludes", byID[id].Name)}
			}
			continue
		}
		d := byID[id]
		if d == nil {
			continue
		}
		if missing := p.missing(d, nil); len(missing) > 0 {
			p.pol.Skipped = append(p.pol.Skipped, Skipped{Name: d.Name, Missing: missing})
			continue
		}
		sel[id] = true
	}
	if len(sel) == 0 {
		return errors.New("--trace: no events left to trace")
	}
	p.pol.selected = sel
	for id := range sel {
		p.pol.Events = append(p.pol.Events, id)
	}
	sortIDs(p.pol.Events)
	sort.Slice(p.pol.Skipped, func(i, j int) bool { return p.pol.Skipped[i].Name < p.pol.Skipped[j].Name })
	// Events that selected user-space events are derived from.
	deps := map[events.ID]bool{}
	var walk func(d *events.Definition)
	walk = func(d *events.Definition) {
		for _, name := range d.Deps {
			dd, ok := p.cat.ByName(name)
			if !ok || sel[dd.ID] || deps[dd.ID] {
				continue
			}
			deps[dd.ID] = true
			walk(dd)
		}
	}
	for id := range sel {
		walk(byID[id])
	}
	for id := range deps {
		p.pol.Deps = append(p.pol.Deps, id)
	}
	sortIDs(p.pol.Deps)
	if len(p.pol.args) == 0 {
		p.pol.args = nil
	}
	return nil
}

func sortIDs(ids []events.ID) { slices.Sort(ids) }
