package schema

import (
	_ "embed"
	"errors"
	"fmt"
)

//go:embed compat_syscalls.yaml
var compatYAML []byte

// Multiplexers of the i386 ABI: their first argument selects the call.
// The index is the mux number in the kernel's compat map (0: none).
var Muxes = []string{"", "socketcall", "ipc"}

// MaxCompatCall bounds a multiplexer's call numbers.
const MaxCompatCall = 64

// Compat says how one i386 syscall, or one call of a multiplexer, is
// reported: as the x86_64 event Event, its arguments rearranged.
type Compat struct {
	I386    int    `yaml:"i386"` // i386 syscall number; -1 for a multiplexer's call
	Name    string `yaml:"name"`
	Mux     string `yaml:"mux"`      // the multiplexer itself (I386 >= 0) or the call's multiplexer
	Call    int    `yaml:"call"`     // call number within Mux
	Event   string `yaml:"event"`    // x86_64 event; empty on a multiplexer
	Args    []int  `yaml:"args"`     // x86_64 argument i from i386 argument Args[i], -1 zero; nil: same order
	Pgoff   *int   `yaml:"pgoff"`    // argument in 4096-byte pages
	ArgsMem *int   `yaml:"args_mem"` // the arguments are six 32-bit words in user memory at this argument
}

// LoadCompat parses and checks the embedded compat_syscalls.yaml against s.
func LoadCompat(s *Schema) ([]Compat, error) {
	return ParseCompat(s, compatYAML)
}

// ParseCompat parses and checks compat_syscalls.yaml contents.
func ParseCompat(s *Schema, data []byte) ([]Compat, error) {
	var cs []Compat
	if err := decodeStrict(data, &cs); err != nil {
		return nil, fmt.Errorf("parse compat_syscalls.yaml: %w", err)
	}
	syscalls := map[string]bool{}
	for _, e := range s.Events {
		if e.Source == "syscall" {
			syscalls[e.Name] = true
		}
	}
	var errs []error
	seen := map[[2]int]string{}
	for _, c := range cs {
		mux := indexOf(Muxes, c.Mux)
		if mux < 0 {
			errs = append(errs, fmt.Errorf("compat %s: unknown multiplexer %q", c.Name, c.Mux))
			continue
		}
		key := [2]int{c.I386, -1}
		switch {
		case c.I386 >= 0 && (c.I386 >= MaxSyscallID || c.Call != 0):
			errs = append(errs, fmt.Errorf("compat %s: number %d outside [0,%d) or with a call", c.Name, c.I386, MaxSyscallID))
		case c.I386 < 0 && (mux == 0 || c.Call < 0 || c.Call >= MaxCompatCall):
			errs = append(errs, fmt.Errorf("compat %s: a call needs a multiplexer and a number in [0,%d)", c.Name, MaxCompatCall))
		case c.I386 < 0:
			key = [2]int{mux, c.Call}
		}
		if other, ok := seen[key]; ok {
			errs = append(errs, fmt.Errorf("compat %s and %s share a number", c.Name, other))
		}
		seen[key] = c.Name
		if (c.Event == "") != (c.I386 >= 0 && mux != 0) {
			errs = append(errs, fmt.Errorf("compat %s: a multiplexer has no event, anything else one", c.Name))
		}
		if c.Event != "" && !syscalls[c.Event] {
			errs = append(errs, fmt.Errorf("compat %s: event %q is not a syscall", c.Name, c.Event))
		}
		if len(c.Args) > 6 {
			errs = append(errs, fmt.Errorf("compat %s: more than six arguments", c.Name))
		}
		for _, a := range c.Args {
			if a < -1 || a > 5 {
				errs = append(errs, fmt.Errorf("compat %s: argument %d outside [-1,5]", c.Name, a))
			}
		}
		for _, p := range []*int{c.Pgoff, c.ArgsMem} {
			if p != nil && (*p < 0 || *p > 5) {
				errs = append(errs, fmt.Errorf("compat %s: argument %d outside [0,5]", c.Name, *p))
			}
		}
	}
	if len(cs) == 0 {
		errs = append(errs, errors.New("compat_syscalls.yaml is empty"))
	}
	return cs, errors.Join(errs...)
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}
