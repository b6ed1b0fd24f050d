package filter

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

// Scope is the workload part of a policy: the kernel scope filters and the
// container ids resolved in user space.
type Scope struct {
	Kernel       Kernel
	ContainerIDs StringFilter
}

// Equal reports whether two scopes select the same workloads the same way.
func (s *Scope) Equal(o *Scope) bool { return reflect.DeepEqual(s, o) }

// NeedsKernelState reports whether the scope depends on process state only
// the kernel keeps (follow, tree=, pid=new, container=new, executable=).
func (s *Scope) NeedsKernelState() bool {
	k := &s.Kernel
	return k.Follow || k.NewPID || k.ContainerNew || len(k.Tree) > 0 || k.Exe.Active()
}

// Match evaluates the scope on an event in user space (see Kernel.MatchScope
// for what it cannot evaluate).
func (s *Scope) Match(ev *pb.Event) bool {
	if !s.Kernel.MatchScope(ev) {
		return false
	}
	return !s.ContainerIDs.Active() || matchContainerID(s.ContainerIDs, ev.GetContainerId())
}

// ScopeError reports a bad scope expression.
type ScopeError struct {
	Expr string
	Err  error
}

func (e *ScopeError) Error() string { return fmt.Sprintf("%q: %v", e.Expr, e.Err) }
func (e *ScopeError) Unwrap() error { return e.Err }

// ParseScope parses scope expressions, AND-ed: what --trace takes except
// event selection and argument filters (pid=, tree=, uid=, comm=, mntns=,
// pidns=, uts=, container[=], !container, executable=, follow).
func ParseScope(exprs []string) (*Scope, error) {
	p := &parser{pol: &Policy{}}
	for _, raw := range exprs {
		expr := strings.TrimSpace(raw)
		key, _, _, _ := split(expr)
		if key == "event" || key == "set" || strings.Contains(key, ".") {
			return nil, &ScopeError{Expr: raw, Err: errors.New("not a scope filter (pid, tree, uid, comm, mntns, pidns, uts, container, executable, follow)")}
		}
		if err := p.expr(expr); err != nil {
			return nil, &ScopeError{Expr: raw, Err: err}
		}
	}
	return &Scope{Kernel: p.pol.Kernel, ContainerIDs: p.pol.ContainerIDs}, nil
}

// IsDataFilter reports whether a policy rule filter is about the event's
// data (data.NAME, args.NAME, retval) rather than its scope.
func IsDataFilter(expr string) bool {
	i := strings.IndexAny(expr, "=!<>")
	if i < 0 {
		return false
	}
	key := strings.TrimSpace(expr[:i])
	return key == "retval" || strings.HasPrefix(key, "data.") || strings.HasPrefix(key, "args.")
}

// ParseDataFilter parses one data filter of a policy rule for event d, in
// Tracee's syntax: data.NAME<op>VALUES (args.NAME is the older spelling),
// retval<op>VALUE. String values take prefix* and *suffix patterns; flag
// and enum arguments take symbolic names (data.flags=O_WRONLY,O_RDWR).
func ParseDataFilter(d *events.Definition, expr string) (*ArgFilter, error) {
	key, o, vals, err := split(strings.TrimSpace(expr))
	if err != nil {
		return nil, err
	}
	var arg string
	switch {
	case key == "retval":
		arg = "retval"
	case strings.HasPrefix(key, "data."):
		arg = key[len("data."):]
	case strings.HasPrefix(key, "args."):
		arg = key[len("args."):]
	default:
		return nil, fmt.Errorf("%q is not a data filter (data.NAME, args.NAME or retval)", key)
	}
	if arg == "" {
		return nil, fmt.Errorf("%q: missing argument name", key)
	}
	return newArgFilter(expr, d, arg, o, vals)
}
