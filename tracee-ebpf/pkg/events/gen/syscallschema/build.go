package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events/gen/cheader"
)

type config struct {
	Unistd    string
	Tracefs   string
	Overrides string
}

type paramSpec struct {
	Name   string `yaml:"name"`
	Type   string `yaml:"type"`
	Kind   string `yaml:"kind,omitempty"`
	Format string `yaml:"format,omitempty"`
}

type syscallOverride struct {
	Note   string            `yaml:"note"`
	Rename map[string]string `yaml:"rename"`
	Type   map[string]string `yaml:"type"`
	Kind   map[string]string `yaml:"kind"`
	Format map[string]string `yaml:"format"`
	Params *[]paramSpec      `yaml:"params"`
}

type overrides struct {
	Numbers        map[string]int             `yaml:"numbers"`
	TracefsAliases map[string]string          `yaml:"tracefs_aliases"`
	AtEntry        []string                   `yaml:"at_entry"`
	Sets           map[string][]string        `yaml:"sets"`
	Syscalls       map[string]syscallOverride `yaml:"syscalls"`
}

type syscall struct {
	ID      int
	Name    string
	Sets    []string
	AtEntry bool
	Note    string
	Params  []paramSpec
}

var fieldLine = regexp.MustCompile(`^\s*field:(.+?)\s*;\s*offset:`)

// parseFormat returns the syscall parameters of a tracefs sys_enter format:
// the fields after __syscall_nr.
func parseFormat(data []byte) ([]paramSpec, error) {
	var params []paramSpec
	seenNr := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		m := fieldLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		decl := strings.TrimSpace(m[1])
		i := strings.LastIndexAny(decl, " *")
		if i < 0 || i == len(decl)-1 {
			return nil, fmt.Errorf("bad field declaration %q", decl)
		}
		name, ctype := decl[i+1:], decl[:i+1]
		if name == "__syscall_nr" {
			seenNr = true
			continue
		}
		if !seenNr {
			continue
		}
		params = append(params, paramSpec{Name: name, Type: normalizeType(ctype)})
	}
	if !seenNr {
		return nil, errors.New("no __syscall_nr field")
	}
	return params, nil
}

func run(cfg config) ([]byte, []string, error) {
	var warnings []string
	raw, err := os.ReadFile(cfg.Overrides)
	if err != nil {
		return nil, nil, fmt.Errorf("read overrides: %w", err)
	}
	var ov overrides
	if err := yaml.Unmarshal(raw, &ov); err != nil {
		return nil, nil, fmt.Errorf("parse %s: %w", cfg.Overrides, err)
	}
	numbers, err := cheader.Defines(cfg.Unistd, "__NR_")
	if err != nil {
		return nil, nil, err
	}
	for name, nr := range ov.Numbers {
		if old, ok := numbers[name]; ok && old != nr {
			return nil, nil, fmt.Errorf("override number %s=%d conflicts with unistd_64.h (%d)", name, nr, old)
		}
		numbers[name] = nr
	}
	byNr := map[int]string{}
	for name, nr := range numbers {
		if other, ok := byNr[nr]; ok {
			return nil, nil, fmt.Errorf("syscall number %d used by %s and %s", nr, name, other)
		}
		byNr[nr] = name
	}

	// tracefs formats, keyed by syscall name.
	formats := map[string][]byte{}
	entries, err := os.ReadDir(cfg.Tracefs)
	if err != nil {
		return nil, nil, fmt.Errorf("read tracefs (mount -t tracefs nodev /sys/kernel/tracing): %w", err)
	}
	for _, e := range entries {
		ev, ok := strings.CutPrefix(e.Name(), "sys_enter_")
		if !ok {
			continue
		}
		data, err := os.ReadFile(filepath.Join(cfg.Tracefs, e.Name(), "format"))
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return nil, nil, fmt.Errorf("read tracefs format: %w", err)
		}
		name := ev
		if alias, ok := ov.TracefsAliases[ev]; ok {
			name = alias
		}
		if _, ok := numbers[name]; !ok {
			warnings = append(warnings, fmt.Sprintf("tracefs event %s has no syscall number (add it to numbers or tracefs_aliases)", e.Name()))
			continue
		}
		formats[name] = data
	}

	for name := range ov.Syscalls {
		if _, ok := numbers[name]; !ok {
			return nil, nil, fmt.Errorf("override for unknown syscall %q", name)
		}
	}
	sets := map[string][]string{}
	for set, names := range ov.Sets {
		for _, n := range names {
			if _, ok := numbers[n]; !ok {
				return nil, nil, fmt.Errorf("set %s names unknown syscall %q", set, n)
			}
			sets[n] = append(sets[n], set)
		}
	}
	atEntry := map[string]bool{}
	for _, n := range ov.AtEntry {
		atEntry[n] = true
	}

	var out []syscall
	for name, nr := range numbers {
		sc := syscall{ID: nr, Name: name, AtEntry: atEntry[name]}
		o := ov.Syscalls[name]
		sc.Note = o.Note
		switch {
		case o.Params != nil:
			sc.Params = append([]paramSpec(nil), (*o.Params)...)
		case formats[name] != nil:
			ps, err := parseFormat(formats[name])
			if err != nil {
				return nil, nil, fmt.Errorf("tracefs format of %s: %w", name, err)
			}
			sc.Params = ps
		default:
			if sc.Note == "" {
				sc.Note = "no tracefs format on this kernel"
			}
			warnings = append(warnings, fmt.Sprintf("%s (%d): no tracefs format and no params override", name, nr))
		}
		if err := applyOverride(&sc, o); err != nil {
			return nil, nil, fmt.Errorf("syscall %s: %w", name, err)
		}
		ss := append([]string{"syscalls"}, sets[name]...)
		sort.Strings(ss[1:])
		sc.Sets = ss
		out = append(out, sc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	sort.Strings(warnings)
	return render(out), warnings, nil
}

func applyOverride(sc *syscall, o syscallOverride) error {
	known := map[string]bool{}
	for i := range sc.Params {
		p := &sc.Params[i]
		known[p.Name] = true
		if n, ok := o.Rename[p.Name]; ok {
			p.Name = n
		}
	}
	for old := range o.Rename {
		if !known[old] {
			return fmt.Errorf("rename of unknown parameter %q", old)
		}
	}
	final := map[string]*paramSpec{}
	for i := range sc.Params {
		p := &sc.Params[i]
		if final[p.Name] != nil {
			return fmt.Errorf("duplicate parameter %q", p.Name)
		}
		final[p.Name] = p
	}
	for _, m := range []map[string]string{o.Type, o.Kind, o.Format} {
		for n := range m {
			if final[n] == nil {
				return fmt.Errorf("override of unknown parameter %q", n)
			}
		}
	}
	for i := range sc.Params {
		p := &sc.Params[i]
		if t, ok := o.Type[p.Name]; ok {
			p.Type = t
		}
		if p.Type == "" {
			return fmt.Errorf("parameter %q has no type", p.Name)
		}
		if k, ok := o.Kind[p.Name]; ok {
			p.Kind = k
		}
		if p.Kind == "" {
			k, err := kindFor(p.Name, p.Type)
			if err != nil {
				return err
			}
			p.Kind = k
		}
		if f, ok := o.Format[p.Name]; ok {
			p.Format = f
		}
	}
	return nil
}

// render writes the YAML by hand so that it stays compact and stable.
func render(scs []syscall) []byte {
	var b bytes.Buffer
	b.WriteString("# Code generated by scripts/gen-syscall-schema from unistd_64.h, the tracefs\n")
	b.WriteString("# sys_enter_* formats and syscall_overrides.yaml. DO NOT EDIT.\n")
	for _, sc := range scs {
		fmt.Fprintf(&b, "- id: %d\n  name: %s\n  sets: [%s]\n", sc.ID, sc.Name, strings.Join(sc.Sets, ", "))
		if sc.AtEntry {
			b.WriteString("  at_entry: true\n")
		}
		if sc.Note != "" {
			fmt.Fprintf(&b, "  note: %s\n", strconv.Quote(sc.Note))
		}
		if len(sc.Params) == 0 {
			b.WriteString("  params: []\n")
			continue
		}
		b.WriteString("  params:\n")
		for _, p := range sc.Params {
			fmt.Fprintf(&b, "    - {name: %s, type: %s, kind: %s", p.Name, strconv.Quote(p.Type), p.Kind)
			if p.Format != "" {
				fmt.Fprintf(&b, ", format: %s", p.Format)
			}
			b.WriteString("}\n")
		}
	}
	return b.Bytes()
}
