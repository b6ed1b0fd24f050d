package flagfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"
)

// FlagName is the conventional name of the flag that names the file.
const FlagName = "config"

// Load reads the YAML file at path and applies it to fs (see Apply).
func Load(fs *pflag.FlagSet, path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config file: %w", err)
	}
	return Apply(fs, path, b)
}

// Apply sets the flags of fs named by the keys of the YAML mapping in data,
// except those already set on the command line (fs.Changed). name is the
// file's name for errors. A key that is no flag, a list for a flag that takes
// one value, a nested mapping or a value the flag refuses is an error naming
// the file, the line and the key; the whole file is checked for unknown keys
// and misplaced lists before any flag is set.
func Apply(fs *pflag.FlagSet, name string, data []byte) error {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) { // empty file: nothing to apply
			return nil
		}
		return fmt.Errorf("config file %s: %w", name, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return fmt.Errorf("config file %s: more than one YAML document", name)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil
	}
	if root.Kind != yaml.MappingNode {
		return fmt.Errorf("config file %s: line %d: want a mapping of flag names to values", name, root.Line)
	}

	type setting struct {
		flag   *pflag.Flag
		values []string
	}
	var todo []setting
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		key := k.Value
		where := fmt.Sprintf("config file %s: line %d: key %q", name, k.Line, key)
		if k.Kind != yaml.ScalarNode {
			return fmt.Errorf("config file %s: line %d: keys are flag names", name, k.Line)
		}
		if seen[key] {
			return fmt.Errorf("%s: given twice", where)
		}
		seen[key] = true
		f := fs.Lookup(key)
		if f == nil || key == FlagName {
			return fmt.Errorf("%s: unknown key (not a flag of %s)", where, fs.Name())
		}
		vals, err := values(v, isList(f))
		if err != nil {
			return fmt.Errorf("%s: %w", where, err)
		}
		if fs.Changed(key) {
			continue // the command line wins
		}
		todo = append(todo, setting{f, vals})
	}
	for _, s := range todo {
		for _, v := range s.values {
			if err := fs.Set(s.flag.Name, v); err != nil {
				return fmt.Errorf("config file %s: key %q: %w", name, s.flag.Name, err)
			}
		}
	}
	return nil
}

// isList reports whether the flag is repeatable (its value a slice or an
// array: --trace, --output, --rules, ...).
func isList(f *pflag.Flag) bool {
	if _, ok := f.Value.(pflag.SliceValue); ok {
		return true
	}
	t := f.Value.Type()
	return strings.HasSuffix(t, "Slice") || strings.HasSuffix(t, "Array")
}

func values(v *yaml.Node, list bool) ([]string, error) {
	switch v.Kind {
	case yaml.ScalarNode:
		if v.Tag == "!!null" {
			return nil, errors.New("no value")
		}
		return []string{v.Value}, nil
	case yaml.SequenceNode:
		if !list {
			return nil, errors.New("a list, but the flag takes one value")
		}
		out := make([]string, 0, len(v.Content))
		for _, e := range v.Content {
			if e.Kind != yaml.ScalarNode || e.Tag == "!!null" {
				return nil, fmt.Errorf("line %d: list entries must be plain values", e.Line)
			}
			out = append(out, e.Value)
		}
		return out, nil
	case yaml.AliasNode:
		return values(v.Alias, list)
	}
	return nil, errors.New("a mapping; want a value (or a list for a repeatable flag)")
}
