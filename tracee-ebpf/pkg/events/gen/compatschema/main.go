package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events/gen/cheader"
)

type alias struct {
	Event   string `yaml:"event"`
	Args    []int  `yaml:"args"`
	Pgoff   *int   `yaml:"pgoff"`
	ArgsMem *int   `yaml:"args_mem"`
}

type mux struct {
	Header  string `yaml:"header"`
	Prefix  string `yaml:"prefix"`
	ArgsMem *int   `yaml:"args_mem"`
}

type overrides struct {
	Suffixes []string                    `yaml:"suffixes"`
	Aliases  map[string]alias            `yaml:"aliases"`
	Muxes    map[string]mux              `yaml:"muxes"`
	Calls    map[string]map[string]alias `yaml:"calls"`
}

// entry is one line of compat_syscalls.yaml (schema.Compat).
type entry struct {
	I386    int    `yaml:"i386"`
	Name    string `yaml:"name"`
	Mux     string `yaml:"mux,omitempty"`
	Call    int    `yaml:"call,omitempty"`
	Event   string `yaml:"event,omitempty"`
	Args    []int  `yaml:"args,omitempty,flow"`
	Pgoff   *int   `yaml:"pgoff,omitempty"`
	ArgsMem *int   `yaml:"args_mem,omitempty"`
}

type config struct {
	Include   string // directory with asm/unistd_32.h, asm/unistd_64.h, linux/net.h, linux/ipc.h
	Overrides string
}

func main() {
	var cfg config
	flag.StringVar(&cfg.Include, "include", "/usr/include", "kernel uapi headers (linux-libc-dev)")
	flag.StringVar(&cfg.Overrides, "overrides", "pkg/events/schema/compat_overrides.yaml", "override file")
	out := flag.String("out", "pkg/events/schema/compat_syscalls.yaml", "output file")
	flag.Parse()
	data, unmapped, err := run(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "compatschema:", err)
		os.Exit(1)
	}
	if len(unmapped) > 0 {
		fmt.Fprintln(os.Stderr, "compatschema: note: i386 syscalls without an x86_64 event (not reported):", strings.Join(unmapped, " "))
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "compatschema:", err)
		os.Exit(1)
	}
}

// findHeader locates an asm header under the multiarch or the plain include directory.
func findHeader(include, name string) string {
	for _, dir := range []string{filepath.Join(include, "x86_64-linux-gnu"), include} {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return filepath.Join(include, name)
}

func run(cfg config) ([]byte, []string, error) {
	raw, err := os.ReadFile(cfg.Overrides)
	if err != nil {
		return nil, nil, fmt.Errorf("read overrides: %w", err)
	}
	var ov overrides
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&ov); err != nil {
		return nil, nil, fmt.Errorf("parse %s: %w", cfg.Overrides, err)
	}
	i386, err := cheader.Defines(findHeader(cfg.Include, "asm/unistd_32.h"), "__NR_")
	if err != nil {
		return nil, nil, err
	}
	x64, err := cheader.Defines(findHeader(cfg.Include, "asm/unistd_64.h"), "__NR_")
	if err != nil {
		return nil, nil, err
	}
	known := func(name string) error {
		if _, ok := x64[name]; !ok {
			return fmt.Errorf("override names %q, which is not an x86_64 syscall", name)
		}
		return nil
	}
	for name, a := range ov.Aliases {
		if _, ok := i386[name]; !ok {
			return nil, nil, fmt.Errorf("alias for %q, which is not an i386 syscall", name)
		}
		if err := known(a.Event); err != nil {
			return nil, nil, err
		}
	}

	var out []entry
	var unmapped []string
	for name, nr := range i386 {
		if m, ok := ov.Muxes[name]; ok {
			out = append(out, entry{I386: nr, Name: name, Mux: name, ArgsMem: m.ArgsMem})
			continue
		}
		if a, ok := ov.Aliases[name]; ok {
			out = append(out, entry{I386: nr, Name: name, Event: a.Event, Args: a.Args, Pgoff: a.Pgoff, ArgsMem: a.ArgsMem})
			continue
		}
		if _, ok := x64[name]; ok {
			out = append(out, entry{I386: nr, Name: name, Event: name})
			continue
		}
		found := false
		for _, suf := range ov.Suffixes {
			base, ok := strings.CutSuffix(name, suf)
			if _, in := x64[base]; ok && in {
				out = append(out, entry{I386: nr, Name: name, Event: base})
				found = true
				break
			}
		}
		if !found {
			unmapped = append(unmapped, name)
		}
	}
	for name, m := range ov.Muxes {
		if _, ok := i386[name]; !ok {
			return nil, nil, fmt.Errorf("multiplexer %q is not an i386 syscall", name)
		}
		calls, err := cheader.Defines(filepath.Join(cfg.Include, m.Header), m.Prefix)
		if err != nil {
			return nil, nil, err
		}
		for call, cnr := range calls {
			full := m.Prefix + call
			a, ok := ov.Calls[name][full]
			if !ok {
				if name == "ipc" {
					continue // ipc calls are listed explicitly (their arguments move)
				}
				a = alias{Event: strings.ToLower(call)}
			}
			if err := known(a.Event); err != nil {
				return nil, nil, fmt.Errorf("%s call %s: %w", name, full, err)
			}
			out = append(out, entry{I386: -1, Name: full, Mux: name, Call: cnr, Event: a.Event, Args: a.Args})
		}
		for full := range ov.Calls[name] {
			if _, ok := calls[strings.TrimPrefix(full, m.Prefix)]; !ok {
				return nil, nil, fmt.Errorf("%s call %s is not in %s", name, full, m.Header)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if (a.I386 < 0) != (b.I386 < 0) {
			return a.I386 >= 0
		}
		if a.I386 != b.I386 {
			return a.I386 < b.I386
		}
		if a.Mux != b.Mux {
			return a.Mux < b.Mux
		}
		return a.Call < b.Call
	})
	sort.Strings(unmapped)
	var b bytes.Buffer
	b.WriteString("# Code generated by gen/compatschema from unistd_32.h, unistd_64.h, linux/net.h,\n")
	b.WriteString("# linux/ipc.h and compat_overrides.yaml (scripts/gen-syscall-schema). DO NOT EDIT.\n")
	b.WriteString("# Not reported (no x86_64 equivalent): " + strings.Join(unmapped, " ") + "\n")
	for _, e := range out {
		var n yaml.Node
		if err := n.Encode(e); err != nil {
			return nil, nil, fmt.Errorf("encode %s: %w", e.Name, err)
		}
		n.Style = yaml.FlowStyle
		line, err := yaml.Marshal([]*yaml.Node{&n})
		if err != nil {
			return nil, nil, fmt.Errorf("encode %s: %w", e.Name, err)
		}
		b.Write(line)
	}
	return b.Bytes(), unmapped, nil
}
