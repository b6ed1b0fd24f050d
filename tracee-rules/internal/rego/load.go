package rego

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	opa "github.com/open-policy-agent/opa/v1/rego"

	"github.com/tracee-go/tracee/tracee-rules/pkg/sdk"
	builtin "github.com/tracee-go/tracee/tracee-rules/signatures/rego"
)

//go:embed helpers.rego
var helpersSource string

// helpersFile is the name the helper library has in OPA's error messages.
const helpersFile = "tracee/helpers.rego"

// Rule names of Tracee's Rego signature convention.
const (
	ruleMetadoc  = "__rego_metadoc__"
	ruleSelected = "tracee_selected_events"
	ruleMatch    = "tracee_match"
)

var parsedHelpers = sync.OnceValues(func() (*ast.Module, error) {
	return parseModule(helpersFile, helpersSource)
})

// Builtin returns the Rego signatures shipped with tracee-rules.
func Builtin() ([]sdk.Signature, error) {
	sigs, err := LoadFS(builtin.FS, ".")
	if err != nil {
		return nil, fmt.Errorf("load built-in rego signatures: %w", err)
	}
	return sigs, nil
}

// LoadDir loads every *.rego file directly in dir (not in subdirectories) as
// one signature each, in file-name order. The first file that fails to parse,
// compile or follow the convention stops the load with an error naming it.
func LoadDir(dir string) ([]sdk.Signature, error) {
	sigs, err := LoadFS(os.DirFS(dir), ".")
	if err != nil {
		return nil, fmt.Errorf("load rego signatures from %s: %w", dir, err)
	}
	return sigs, nil
}

// LoadFS loads every *.rego file directly in dir of fsys, like LoadDir.
// Two files declaring the same signature id are an error.
func LoadFS(fsys fs.FS, dir string) ([]sdk.Signature, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read directory: %w", err)
	}
	var sigs []sdk.Signature
	byID := map[string]string{}
	for _, e := range entries { // fs.ReadDir sorts by name
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".rego") {
			continue
		}
		name := path.Join(dir, e.Name())
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", e.Name(), err)
		}
		sig, err := Load(e.Name(), string(src))
		if err != nil {
			return nil, err
		}
		if prev, ok := byID[sig.meta.ID]; ok {
			return nil, fmt.Errorf("%s: signature id %q already declared by %s", e.Name(), sig.meta.ID, prev)
		}
		byID[sig.meta.ID] = e.Name()
		sigs = append(sigs, sig)
	}
	return sigs, nil
}

// Load compiles one Rego signature from its source; filename names it in
// errors. The returned signature implements sdk.Signature.
func Load(filename, src string) (*Signature, error) {
	sig, err := load(filename, src)
	if err != nil {
		return nil, fmt.Errorf("rego signature %s: %w", filename, err)
	}
	return sig, nil
}

func load(filename, src string) (*Signature, error) {
	helpers, err := parsedHelpers()
	if err != nil {
		return nil, fmt.Errorf("helper library: %w", err)
	}
	mod, err := parseModule(filename, src)
	if err != nil {
		return nil, err
	}
	if mod.Package.Path.Equal(helpers.Package.Path) {
		return nil, fmt.Errorf("package %v is reserved for the helper library", mod.Package.Path)
	}
	compiler := ast.NewCompiler()
	compiler.Compile(map[string]*ast.Module{helpersFile: helpers, filename: mod})
	if compiler.Failed() {
		return nil, compiler.Errors
	}
	pkg := mod.Package.Path
	for _, rule := range []string{ruleMetadoc, ruleSelected, ruleMatch} {
		if len(compiler.GetRulesExact(pkg.Append(ast.StringTerm(rule)))) == 0 {
			return nil, fmt.Errorf("package %v has no %s rule", pkg, rule)
		}
	}

	ctx := context.Background()
	metaVal, err := evalOnce(ctx, compiler, pkg, ruleMetadoc)
	if err != nil {
		return nil, err
	}
	meta, err := parseMetadata(metaVal)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ruleMetadoc, err)
	}
	selVal, err := evalOnce(ctx, compiler, pkg, ruleSelected)
	if err != nil {
		return nil, err
	}
	selected, err := parseSelected(selVal)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ruleSelected, err)
	}
	match, err := prepare(ctx, compiler, pkg, ruleMatch)
	if err != nil {
		return nil, err
	}
	return newSignature(filename, meta, selected, match, builderFor(compiler, pkg.Append(ast.StringTerm(ruleMatch)))), nil
}

// parseModule parses src as Rego v1 and, when that fails, as Rego v0 (the
// syntax of Tracee's signatures). When both fail it returns the error of the
// version that parsed further, since that is most likely the intended one.
func parseModule(filename, src string) (*ast.Module, error) {
	mod, errV1 := ast.ParseModuleWithOpts(filename, src, ast.ParserOptions{RegoVersion: ast.RegoV1})
	if errV1 == nil {
		return mod, nil
	}
	mod, errV0 := ast.ParseModuleWithOpts(filename, src, ast.ParserOptions{RegoVersion: ast.RegoV0})
	if errV0 == nil {
		return mod, nil
	}
	if errorRow(errV0) > errorRow(errV1) {
		return nil, fmt.Errorf("parse as rego v0: %w", errV0)
	}
	return nil, fmt.Errorf("parse: %w", errV1)
}

// errorRow is the first row an OPA parse error points at, 0 if none.
func errorRow(err error) int {
	var errs ast.Errors
	if errors.As(err, &errs) && len(errs) > 0 && errs[0].Location != nil {
		return errs[0].Location.Row
	}
	return 0
}

func query(pkg ast.Ref, rule string) ast.Body {
	return ast.NewBody(ast.NewExpr(ast.NewTerm(pkg.Append(ast.StringTerm(rule)))))
}

func prepare(ctx context.Context, c *ast.Compiler, pkg ast.Ref, rule string) (opa.PreparedEvalQuery, error) {
	pq, err := opa.New(opa.Compiler(c), opa.ParsedQuery(query(pkg, rule))).PrepareForEval(ctx)
	if err != nil {
		return pq, fmt.Errorf("prepare %s: %w", rule, err)
	}
	return pq, nil
}

// evalOnce evaluates an input-independent rule; undefined is an error.
func evalOnce(ctx context.Context, c *ast.Compiler, pkg ast.Ref, rule string) (any, error) {
	pq, err := prepare(ctx, c, pkg, rule)
	if err != nil {
		return nil, err
	}
	rs, err := pq.Eval(ctx)
	if err != nil {
		return nil, fmt.Errorf("evaluate %s: %w", rule, err)
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return nil, fmt.Errorf("%s is undefined", rule)
	}
	return rs[0].Expressions[0].Value, nil
}

// parseMetadata reads __rego_metadoc__ into sdk.Metadata. Properties keep
// every entry; "Severity" (0..4) and "MITRE ATT&CK" ("Tactic: Technique")
// also fill the dedicated fields.
func parseMetadata(v any) (sdk.Metadata, error) {
	var m sdk.Metadata
	obj, ok := v.(map[string]any)
	if !ok {
		return m, fmt.Errorf("is %s, want an object", typeName(v))
	}
	strs := []struct {
		key      string
		dst      *string
		required bool
	}{
		{"id", &m.ID, true},
		{"name", &m.Name, true},
		{"version", &m.Version, false},
		{"description", &m.Description, false},
	}
	for _, f := range strs {
		raw, present := obj[f.key]
		s, ok := raw.(string)
		switch {
		case !present && f.required:
			return m, fmt.Errorf("missing %q", f.key)
		case present && !ok:
			return m, fmt.Errorf("%q is %s, want a string", f.key, typeName(raw))
		case f.required && s == "":
			return m, fmt.Errorf("%q is empty", f.key)
		}
		*f.dst = s
	}
	if raw, ok := obj["tags"]; ok {
		tags, err := stringList(raw)
		if err != nil {
			return m, fmt.Errorf("%q: %w", "tags", err)
		}
		m.Tags = tags
	}
	raw, ok := obj["properties"]
	if !ok {
		return m, nil
	}
	props, ok := fromOPA(raw).(map[string]any)
	if !ok {
		return m, fmt.Errorf("%q is %s, want an object", "properties", typeName(raw))
	}
	m.Properties = props
	if sev, ok := props["Severity"]; ok {
		n, ok := sev.(int64)
		if !ok || n < sdk.SeverityInfo || n > sdk.SeverityCritical {
			return m, fmt.Errorf("properties.Severity is %v, want an integer 0..4", sev)
		}
		m.Severity = int(n)
	}
	if mitre, ok := props["MITRE ATT&CK"]; ok {
		s, ok := mitre.(string)
		if !ok {
			return m, fmt.Errorf("properties[%q] is %s, want a string", "MITRE ATT&CK", typeName(mitre))
		}
		cat, tech, found := strings.Cut(s, ":")
		m.MitreCategory = strings.TrimSpace(cat)
		if found {
			m.MitreTechnique = strings.TrimSpace(tech)
		}
	}
	return m, nil
}

// parseSelected reads tracee_selected_events (a set of {"source", "name"},
// optionally with "filters": data filters in Tracee's policy syntax, see
// sdk.SelectedEvent; without them the whole event is wanted).
func parseSelected(v any) ([]sdk.SelectedEvent, error) {
	list, ok := v.([]any) // OPA returns sets as arrays
	if !ok {
		return nil, fmt.Errorf("is %s, want a set of objects", typeName(v))
	}
	if len(list) == 0 {
		return nil, errors.New("selects no event")
	}
	sel := make([]sdk.SelectedEvent, 0, len(list))
	for _, item := range list {
		obj, ok := item.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("selector %v is %s, want an object", item, typeName(item))
		}
		name, _ := obj["name"].(string)
		if name == "" {
			return nil, fmt.Errorf("selector %v has no \"name\" string", item)
		}
		source := "tracee"
		if raw, ok := obj["source"]; ok {
			if source, ok = raw.(string); !ok || source == "" {
				return nil, fmt.Errorf("selector %v has a bad \"source\"", item)
			}
		}
		se := sdk.SelectedEvent{Source: source, Name: name}
		if raw, ok := obj["filters"]; ok {
			fs, err := stringList(raw)
			if err != nil {
				return nil, fmt.Errorf("selector %v: filters: %w", item, err)
			}
			for _, f := range fs {
				if _, err := sdk.ParseDataFilter(f); err != nil {
					return nil, fmt.Errorf("selector %v: %w", item, err)
				}
			}
			se.Filters = fs
		}
		sel = append(sel, se)
	}
	sort.Slice(sel, func(i, j int) bool {
		if sel[i].Source != sel[j].Source {
			return sel[i].Source < sel[j].Source
		}
		return sel[i].Name < sel[j].Name
	})
	return sel, nil
}

func stringList(v any) ([]string, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("is %s, want an array of strings", typeName(v))
	}
	out := make([]string, len(list))
	for i, item := range list {
		s, ok := item.(string)
		if !ok {
			return nil, fmt.Errorf("item %d is %s, want a string", i, typeName(item))
		}
		out[i] = s
	}
	return out, nil
}

// HelpersSource returns the Rego source of the helper library (package
// tracee.helpers) that every signature is compiled with.
func HelpersSource() string { return helpersSource }
