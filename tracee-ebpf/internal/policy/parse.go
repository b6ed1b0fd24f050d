package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/filter"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

// APIVersion and Kind are what a policy document must declare.
const (
	APIVersion = "tracee.aquasec.com/v1beta1"
	Kind       = "Policy"
)

// Error is a bad policy: the file, the position in it, the field and why.
type Error struct {
	File      string
	Line, Col int
	Field     string // "spec.rules[2].filters[0]"
	Err       error
}

func (e *Error) Error() string {
	pos := e.File
	if e.Line > 0 {
		pos = fmt.Sprintf("%s:%d:%d", e.File, e.Line, e.Col)
	}
	if e.Field == "" {
		return fmt.Sprintf("policy %s: %v", pos, e.Err)
	}
	return fmt.Sprintf("policy %s: %s: %v", pos, e.Field, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// nameRE is what Tracee (and Kubernetes) accept as a policy name.
var nameRE = regexp.MustCompile(`^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$`)

// maxRulesPerEvent bounds the alternatives of one event in one policy.
const maxRulesPerEvent = 8

// Parse reads the policies of one file (YAML documents separated by ---).
// avail tells which kernel facilities exist (see filter.Parse); an event
// whose requirement is missing is an error.
func Parse(data []byte, file string, cat filter.Catalog, avail map[string]bool) ([]*Policy, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out []*Policy
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, &Error{File: file, Err: fmt.Errorf("not YAML: %w", err)}
		}
		if len(doc.Content) == 0 {
			continue
		}
		p := &parser{file: file, cat: cat, avail: avail}
		pol, err := p.policy(doc.Content[0])
		if err != nil {
			return nil, err
		}
		pol.Origin = file
		out = append(out, pol)
	}
	if len(out) == 0 {
		return nil, &Error{File: file, Err: errors.New("no policy in the file")}
	}
	return out, nil
}

type parser struct {
	file  string
	cat   filter.Catalog
	avail map[string]bool
}

func (p *parser) errAt(n *yaml.Node, field string, format string, args ...any) error {
	return &Error{File: p.file, Line: n.Line, Col: n.Column, Field: field, Err: fmt.Errorf(format, args...)}
}

// fields checks that n is a mapping with only the allowed keys and returns
// key -> value node (and key node, for positions).
func (p *parser) fields(n *yaml.Node, field string, allowed ...string) (map[string]*yaml.Node, error) {
	if n.Kind != yaml.MappingNode {
		return nil, p.errAt(n, field, "want a mapping, not %s", kindName(n))
	}
	out := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		name := join(field, k.Value)
		if !slices.Contains(allowed, k.Value) {
			return nil, p.errAt(k, name, "unknown field (expected %s)", strings.Join(allowed, ", "))
		}
		if _, dup := out[k.Value]; dup {
			return nil, p.errAt(k, name, "given twice")
		}
		out[k.Value] = v
	}
	return out, nil
}

func join(parent, child string) string {
	if parent == "" {
		return child
	}
	return parent + "." + child
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", n.Value)
	case yaml.AliasNode:
		return "an alias"
	}
	return "nothing"
}

func (p *parser) str(n *yaml.Node, field string) (string, error) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", p.errAt(n, field, "want a string, not %s", kindName(n))
	}
	return n.Value, nil
}

// strings reads a list of strings (a single string is accepted as a list of one).
func (p *parser) strList(n *yaml.Node, field string) ([]string, []*yaml.Node, error) {
	if n.Kind == yaml.ScalarNode && n.Tag != "!!null" {
		return []string{n.Value}, []*yaml.Node{n}, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, nil, p.errAt(n, field, "want a list of strings, not %s", kindName(n))
	}
	var out []string
	for i, c := range n.Content {
		s, err := p.str(c, fmt.Sprintf("%s[%d]", field, i))
		if err != nil {
			return nil, nil, err
		}
		out = append(out, s)
	}
	return out, n.Content, nil
}

func (p *parser) required(m map[string]*yaml.Node, parent *yaml.Node, field, key string) (*yaml.Node, error) {
	n, ok := m[key]
	if !ok {
		return nil, p.errAt(parent, join(field, key), "missing")
	}
	return n, nil
}

func (p *parser) policy(root *yaml.Node) (*Policy, error) {
	top, err := p.fields(root, "", "apiVersion", "kind", "metadata", "spec")
	if err != nil {
		return nil, err
	}
	for _, c := range []struct{ key, want string }{{"apiVersion", APIVersion}, {"kind", Kind}} {
		n, err := p.required(top, root, "", c.key)
		if err != nil {
			return nil, err
		}
		v, err := p.str(n, c.key)
		if err != nil {
			return nil, err
		}
		if v != c.want {
			return nil, p.errAt(n, c.key, "is %q, want %q", v, c.want)
		}
	}
	pol := &Policy{Rules: map[events.ID][]*Rule{}}
	mn, err := p.required(top, root, "", "metadata")
	if err != nil {
		return nil, err
	}
	if err := p.metadata(mn, pol); err != nil {
		return nil, err
	}
	sn, err := p.required(top, root, "", "spec")
	if err != nil {
		return nil, err
	}
	spec, err := p.fields(sn, "spec", "scope", "rules", "defaultActions")
	if err != nil {
		return nil, err
	}
	if err := p.scope(spec, sn, pol); err != nil {
		return nil, err
	}
	if n, ok := spec["defaultActions"]; ok {
		acts, nodes, err := p.strList(n, "spec.defaultActions")
		if err != nil {
			return nil, err
		}
		for i, a := range acts {
			if a != "log" {
				return nil, p.errAt(nodes[i], fmt.Sprintf("spec.defaultActions[%d]", i), "action %q is not supported (only log)", a)
			}
		}
	}
	rn, err := p.required(spec, sn, "spec", "rules")
	if err != nil {
		return nil, err
	}
	if rn.Kind != yaml.SequenceNode || len(rn.Content) == 0 {
		return nil, p.errAt(rn, "spec.rules", "want a non-empty list of rules, not %s", kindName(rn))
	}
	for i, r := range rn.Content {
		if err := p.rule(r, fmt.Sprintf("spec.rules[%d]", i), pol); err != nil {
			return nil, err
		}
	}
	return pol, nil
}

func (p *parser) metadata(n *yaml.Node, pol *Policy) error {
	md, err := p.fields(n, "metadata", "name", "annotations", "labels", "namespace")
	if err != nil {
		return err
	}
	nn, err := p.required(md, n, "metadata", "name")
	if err != nil {
		return err
	}
	if pol.Name, err = p.str(nn, "metadata.name"); err != nil {
		return err
	}
	if len(pol.Name) > 253 || !nameRE.MatchString(pol.Name) {
		return p.errAt(nn, "metadata.name", "%q is not a valid name (lower-case letters, digits, '-' and '.', at most 253)", pol.Name)
	}
	if an, ok := md["annotations"]; ok {
		if an.Kind != yaml.MappingNode {
			return p.errAt(an, "metadata.annotations", "want a mapping, not %s", kindName(an))
		}
		for i := 0; i+1 < len(an.Content); i += 2 {
			if an.Content[i].Value == "description" {
				pol.Description = an.Content[i+1].Value
			}
		}
	}
	return nil
}

func (p *parser) scope(spec map[string]*yaml.Node, sn *yaml.Node, pol *Policy) error {
	n, err := p.required(spec, sn, "spec", "scope")
	if err != nil {
		return err
	}
	exprs, nodes, err := p.strList(n, "spec.scope")
	if err != nil {
		return err
	}
	if len(exprs) == 0 {
		return p.errAt(n, "spec.scope", "empty: use [global] for every workload")
	}
	var kept []string
	for i, e := range exprs {
		field := fmt.Sprintf("spec.scope[%d]", i)
		if strings.TrimSpace(e) == "global" {
			if len(exprs) > 1 {
				return p.errAt(nodes[i], field, "global cannot be combined with other scope filters")
			}
			continue
		}
		e = canonical(e)
		if _, err := filter.ParseScope([]string{e}); err != nil {
			return p.errAt(nodes[i], field, "%v", err)
		}
		kept = append(kept, e)
	}
	pol.scopeExprs = kept
	pol.Scope, err = filter.ParseScope(kept)
	if err != nil {
		return p.errAt(n, "spec.scope", "%v", err) // a contradiction between entries
	}
	return nil
}

// aliases are Tracee's other names for scope and context filter keys.
var aliases = map[string]string{
	"not-container": "!container", "processName": "comm", "userId": "uid", "hostPid": "pid",
	"mountNamespace": "mntns", "pidNamespace": "pidns", "hostName": "uts",
}

// canonical rewrites an expression's key to the name filter.ParseScope knows.
func canonical(e string) string {
	e = strings.TrimSpace(e)
	key := scopeKey(e)
	if a, ok := aliases[key]; ok {
		return a + e[len(key):]
	}
	return e
}

func scopeKey(e string) string {
	i := strings.IndexAny(e, "=!<>")
	if i < 0 {
		return strings.TrimSpace(e)
	}
	return strings.TrimSpace(e[:i])
}

func (p *parser) rule(n *yaml.Node, field string, pol *Policy) error {
	m, err := p.fields(n, field, "event", "filters", "actions")
	if err != nil {
		return err
	}
	en, err := p.required(m, n, field, "event")
	if err != nil {
		return err
	}
	name, err := p.str(en, field+".event")
	if err != nil {
		return err
	}
	d, ok := p.cat.ByName(name)
	if !ok || d.Internal {
		return p.errAt(en, field+".event", "unknown event %q (tracee-ebpf --list shows the events)", name)
	}
	if missing := missingReqs(p.cat, d, p.avail); len(missing) > 0 {
		return p.errAt(en, field+".event", "event %s requires %s, which is not available on this system", d.Name, strings.Join(missing, ", "))
	}
	r := &Rule{}
	if fn, ok := m["filters"]; ok {
		fs, nodes, err := p.strList(fn, field+".filters")
		if err != nil {
			return err
		}
		var ctx []string
		for i, f := range fs {
			ff := fmt.Sprintf("%s.filters[%d]", field, i)
			if filter.IsDataFilter(f) {
				af, err := filter.ParseDataFilter(d, f)
				if err != nil {
					return p.errAt(nodes[i], ff, "%v", err)
				}
				r.Data = append(r.Data, af)
				continue
			}
			f = canonical(f)
			if _, err := filter.ParseScope([]string{f}); err != nil {
				return p.errAt(nodes[i], ff, "%v", err)
			}
			ctx = append(ctx, f)
		}
		if len(ctx) > 0 {
			if r.Context, err = filter.ParseScope(ctx); err != nil {
				return p.errAt(fn, field+".filters", "%v", err)
			}
			if r.Context.NeedsKernelState() {
				return p.errAt(fn, field+".filters", "follow, tree=, pid=new, container=new and executable= belong in spec.scope")
			}
		}
	}
	if an, ok := m["actions"]; ok {
		acts, nodes, err := p.strList(an, field+".actions")
		if err != nil {
			return err
		}
		for i, a := range acts {
			if a != "log" {
				return p.errAt(nodes[i], fmt.Sprintf("%s.actions[%d]", field, i), "action %q is not supported (only log)", a)
			}
		}
	}
	if len(pol.Rules[d.ID]) >= maxRulesPerEvent {
		return p.errAt(en, field+".event", "more than %d rules for event %s in one policy", maxRulesPerEvent, d.Name)
	}
	pol.Rules[d.ID] = append(pol.Rules[d.ID], r)
	return nil
}

// missingReqs lists requirements of d and of what it derives from that avail
// says are missing.
func missingReqs(cat filter.Catalog, d *events.Definition, avail map[string]bool) []string {
	var out []string
	seen := map[string]bool{}
	var walk func(d *events.Definition)
	walk = func(d *events.Definition) {
		if seen[d.Name] {
			return
		}
		seen[d.Name] = true
		for _, r := range d.Requires {
			if ok, known := avail[r]; known && !ok && !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
		for _, dep := range d.Deps {
			if dd, ok := cat.ByName(dep); ok {
				walk(dd)
			}
		}
	}
	walk(d)
	return out
}
