package rego

import (
	"github.com/open-policy-agent/opa/v1/ast"

	pb "github.com/tracee-go/tracee/proto/traceepb"
)

// inputBuilder builds the part of the input a signature reads. Building the
// whole event object costs about as much as evaluating a small rule, so each
// signature only gets the top-level fields its compiled rules (and the helpers
// they call) refer to.
type inputBuilder struct {
	fields   []eventField
	ancestry bool
	runtime  bool // container and kubernetes
}

// fullInput builds every field (Input).
var fullInput = inputBuilder{fields: eventFields, ancestry: true, runtime: true}

func (b *inputBuilder) build(ev *pb.Event) ast.Value {
	items := make([][2]*ast.Term, 0, len(b.fields)+1)
	for _, f := range b.fields {
		items = append(items, [2]*ast.Term{f.key, f.value(ev)})
	}
	if b.ancestry && len(ev.GetAncestry()) > 0 {
		items = append(items, [2]*ast.Term{keyAncestry, ancestryTerm(ev)})
	}
	if b.runtime {
		items = appendRuntime(items, ev)
	}
	return ast.NewObject(items...)
}

// builderFor returns a builder for the fields read by the rules at root and
// the rules and functions they depend on.
func builderFor(c *ast.Compiler, root ast.Ref) inputBuilder {
	keys, all := inputKeys(reachableRules(c, root))
	if all {
		return fullInput
	}
	var b inputBuilder
	for _, f := range eventFields {
		if keys[string(f.key.Value.(ast.String))] {
			b.fields = append(b.fields, f)
		}
	}
	b.ancestry = keys[string(keyAncestry.Value.(ast.String))]
	b.runtime = keys[string(keyContainer.Value.(ast.String))] || keys[string(keyKubernetes.Value.(ast.String))]
	return b
}

// reachableRules returns the rules at root and, through the compiler's
// dependency graph, every rule and function they use.
func reachableRules(c *ast.Compiler, root ast.Ref) []*ast.Rule {
	seen := map[*ast.Rule]bool{}
	stack := c.GetRulesExact(root)
	var out []*ast.Rule
	for len(stack) > 0 {
		r := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[r] {
			continue
		}
		seen[r] = true
		out = append(out, r)
		for dep := range c.Graph.Dependencies(r) {
			if d, ok := dep.(*ast.Rule); ok {
				stack = append(stack, d)
			}
		}
	}
	return out
}

// inputKeys collects the top-level keys of input that the rules refer to
// (input.k, input["k"]). all is true when a rule reads input in any other
// way (input as a whole, or input[x] with a computed x); the result may
// include keys that are never read, never miss one.
func inputKeys(rules []*ast.Rule) (keys map[string]bool, all bool) {
	keys = map[string]bool{}
	var vis *ast.GenericVisitor
	vis = ast.NewGenericVisitor(func(x any) bool {
		switch v := x.(type) {
		case ast.Ref:
			if !v.HasPrefix(ast.InputRootRef) {
				return false
			}
			if len(v) < 2 {
				all = true
				return true
			}
			if s, ok := v[1].Value.(ast.String); ok {
				keys[string(s)] = true
			} else {
				all = true
			}
			for _, t := range v[1:] {
				vis.Walk(t)
			}
			return true // the head, input itself, is accounted for
		case ast.Var:
			if v.Equal(ast.InputRootDocument.Value) {
				all = true
			}
		}
		return false
	})
	for _, r := range rules {
		vis.Walk(r)
	}
	return keys, all
}
