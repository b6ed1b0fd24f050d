package schema

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"

	"gopkg.in/yaml.v3"
)

//go:embed syscalls.yaml
var syscallsYAML []byte

//go:embed events.yaml
var eventsYAML []byte

//go:embed abi.yaml
var abiYAML []byte

// MaxSyscallID bounds syscall ids (the kernel's per-syscall maps are this big).
const MaxSyscallID = 512

// FirstEventID is the smallest id of a non-syscall event.
const FirstEventID = 1000

// Kinds lists the argument kinds in enum order; the index is the value
// (mirrored by events.ArgKind and enum arg_kind).
var Kinds = []string{"none", "int", "uint", "long", "ulong", "str", "str_arr", "sockaddr", "bytes", "pointer", "bool", "u16"}

// Sources are the accepted event sources.
var Sources = []string{"syscall", "kernel", "userspace"}

// Requirements are the accepted kernel facilities in requires.
var Requirements = []string{"kprobe", "lsm"}

// Param is one event argument.
type Param struct {
	Name   string `yaml:"name"`
	Type   string `yaml:"type"`
	Kind   string `yaml:"kind"`
	Format string `yaml:"format"`
}

// Event is one event of the schema.
type Event struct {
	ID       int      `yaml:"id"`
	Name     string   `yaml:"name"`
	Source   string   `yaml:"source"`
	Sets     []string `yaml:"sets"`
	AtEntry  bool     `yaml:"at_entry"`
	Deps     []string `yaml:"deps"`
	Requires []string `yaml:"requires"`
	Internal bool     `yaml:"internal"`
	Note     string   `yaml:"note"`
	Params   []Param  `yaml:"params"`
	// Hook is the BPF attach point that produces a kernel event (abi.yaml
	// hooks); with sys_exit, Syscalls lists the syscalls whose exit derives it.
	Hook     string   `yaml:"hook"`
	Syscalls []string `yaml:"syscalls"`
}

// Schema is the checked union of the event files, sorted by id, and the
// ABI constants.
type Schema struct {
	Events []Event
	ABI    *ABI
}

// Load parses and checks the embedded schema files.
func Load() (*Schema, error) {
	return Parse(syscallsYAML, eventsYAML)
}

// Parse parses and checks schema file contents. Syscall events get source
// "syscall" and the set "syscalls".
func Parse(syscalls, events []byte) (*Schema, error) {
	var scs, evs []Event
	if err := decodeStrict(syscalls, &scs); err != nil {
		return nil, fmt.Errorf("parse syscalls.yaml: %w", err)
	}
	if err := decodeStrict(events, &evs); err != nil {
		return nil, fmt.Errorf("parse events.yaml: %w", err)
	}
	for i := range scs {
		e := &scs[i]
		if e.Source != "" && e.Source != "syscall" {
			return nil, fmt.Errorf("syscall %s: source must be syscall, not %q", e.Name, e.Source)
		}
		e.Source = "syscall"
		if e.ID < 0 || e.ID >= MaxSyscallID {
			return nil, fmt.Errorf("syscall %s: id %d outside [0,%d)", e.Name, e.ID, MaxSyscallID)
		}
		if !contains(e.Sets, "syscalls") {
			e.Sets = append([]string{"syscalls"}, e.Sets...)
		}
	}
	for _, e := range evs {
		if e.ID < FirstEventID {
			return nil, fmt.Errorf("event %s: id %d below %d", e.Name, e.ID, FirstEventID)
		}
		if e.Source == "syscall" {
			return nil, fmt.Errorf("event %s: source syscall belongs in syscalls.yaml", e.Name)
		}
	}
	abi, err := parseABI(abiYAML)
	if err != nil {
		return nil, err
	}
	s := &Schema{Events: append(scs, evs...), ABI: abi}
	sort.SliceStable(s.Events, func(i, j int) bool { return s.Events[i].ID < s.Events[j].ID })
	if err := s.check(); err != nil {
		return nil, err
	}
	return s, nil
}

func decodeStrict(data []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return nil
}

var identRE = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

func (s *Schema) check() error {
	ids := map[int]string{}
	names := map[string]bool{}
	var errs []error
	for _, e := range s.Events {
		if !identRE.MatchString(e.Name) {
			errs = append(errs, fmt.Errorf("event id %d: bad name %q", e.ID, e.Name))
		}
		if other, ok := ids[e.ID]; ok {
			errs = append(errs, fmt.Errorf("id %d used by %s and %s", e.ID, other, e.Name))
		}
		ids[e.ID] = e.Name
		if names[e.Name] {
			errs = append(errs, fmt.Errorf("name %s used twice", e.Name))
		}
		names[e.Name] = true
		if !contains(Sources, e.Source) {
			errs = append(errs, fmt.Errorf("event %s: unknown source %q", e.Name, e.Source))
		}
		if e.Source == "userspace" && len(e.Deps) == 0 {
			errs = append(errs, fmt.Errorf("event %s: userspace event without deps", e.Name))
		}
		for _, r := range e.Requires {
			if !contains(Requirements, r) {
				errs = append(errs, fmt.Errorf("event %s: unknown requirement %q", e.Name, r))
			}
		}
		errs = append(errs, s.checkHook(e))
		pnames := map[string]bool{}
		for _, p := range e.Params {
			if !identRE.MatchString(p.Name) {
				errs = append(errs, fmt.Errorf("event %s: bad parameter name %q", e.Name, p.Name))
			}
			if pnames[p.Name] {
				errs = append(errs, fmt.Errorf("event %s: parameter %s twice", e.Name, p.Name))
			}
			pnames[p.Name] = true
			if p.Type == "" {
				errs = append(errs, fmt.Errorf("event %s: parameter %s has no type", e.Name, p.Name))
			}
			if k := KindIndex(p.Kind); k <= 0 {
				errs = append(errs, fmt.Errorf("event %s: parameter %s has bad kind %q", e.Name, p.Name, p.Kind))
			}
		}
	}
	for _, e := range s.Events {
		for _, d := range e.Deps {
			if !names[d] {
				errs = append(errs, fmt.Errorf("event %s: unknown dependency %q", e.Name, d))
			}
		}
	}
	if n := len(s.ABI.Selection) + len(s.DerivedAtSysExit()); n > 32 {
		errs = append(errs, fmt.Errorf("%d selection bits (abi selection and events derived at sys_exit), at most 32", n))
	}
	if n := len(s.EmittedByHooks()); n > 32 {
		errs = append(errs, fmt.Errorf("%d events emitted by hooks, at most 32 emit bits", n))
	}
	errs = append(errs, s.checkProcFops())
	return errors.Join(errs...)
}

// checkHook: a kernel event without extra requirements names the hook that
// produces it; one derived at sys_exit names the syscalls it comes from.
// Internal kernel events (capture_chunk, net_packet) come from the capture
// programs, which --capture loads outside the hook list.
func (s *Schema) checkHook(e Event) error {
	if e.Hook == "" {
		if e.Source == "kernel" && len(e.Requires) == 0 && !e.Internal {
			return fmt.Errorf("event %s: kernel event without a hook (or requires)", e.Name)
		}
		if len(e.Syscalls) > 0 {
			return fmt.Errorf("event %s: syscalls without hook: %s", e.Name, SysExitHook)
		}
		return nil
	}
	if e.Source != "kernel" || len(e.Requires) > 0 {
		return fmt.Errorf("event %s: only kernel events without requires have a hook", e.Name)
	}
	if _, ok := s.ABI.Hook(e.Hook); !ok {
		return fmt.Errorf("event %s: unknown hook %q", e.Name, e.Hook)
	}
	if (e.Hook == SysExitHook) != (len(e.Syscalls) > 0) {
		return fmt.Errorf("event %s: an event derived at %s lists its syscalls, and only it", e.Name, SysExitHook)
	}
	for _, sc := range e.Syscalls {
		if !s.isSyscall(sc) {
			return fmt.Errorf("event %s: %q is not a syscall", e.Name, sc)
		}
	}
	return nil
}

func (s *Schema) isSyscall(name string) bool {
	for _, e := range s.Events {
		if e.Name == name {
			return e.Source == "syscall"
		}
	}
	return false
}

// KindIndex returns the enum value of a kind name, or -1.
func KindIndex(name string) int {
	for i, k := range Kinds {
		if k == name {
			return i
		}
	}
	return -1
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// checkProcFops: every proc_fops_pointers arg is a pointer argument of
// hooked_proc_fops, when the schema has that event.
func (s *Schema) checkProcFops() error {
	if len(s.ABI.ProcFopsPointers) == 0 {
		return nil
	}
	var ev *Event
	for i := range s.Events {
		if s.Events[i].Name == ProcFopsEvent {
			ev = &s.Events[i]
		}
	}
	if ev == nil {
		return nil // a partial schema (tests); bpf/hooks/proc_fops.h needs the event to build
	}
	var errs []error
	for _, fp := range s.ABI.ProcFopsPointers {
		found := false
		for _, p := range ev.Params {
			found = found || (p.Name == fp.Arg && p.Kind == "pointer")
		}
		if !found {
			errs = append(errs, fmt.Errorf("abi proc_fops_pointers: %s: %s has no pointer argument %q", fp.Name, ProcFopsEvent, fp.Arg))
		}
	}
	return errors.Join(errs...)
}
