package probes

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"sort"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/rlimit"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/abi"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

// MethodOnDemand is the method of an on-demand hook: loaded, never
// attached, run by Probes.Run.
const MethodOnDemand = "on_demand"

// Probes is the loaded and attached set of programs.
type Probes struct {
	coll    *ebpf.Collection // the programs (the maps are in maps)
	maps    abi.TraceeMaps   // the same maps in both builds
	links   []link.Link
	Methods map[string]string // hook -> "tp_btf" | "raw_tracepoint"
	Object  string            // "embedded", or the object file and its sha256
	Events  *ebpf.Map         // ring buffer
}

var kernelSpec *btf.Spec

func loadKernelSpec() (*btf.Spec, error) {
	if kernelSpec != nil {
		return kernelSpec, nil
	}
	s, err := btf.LoadKernelSpec()
	if err != nil {
		return nil, fmt.Errorf("kernel BTF: %w", err)
	}
	kernelSpec = s
	return s, nil
}

// Load loads the programs, configures them and attaches the hooks the options
// need, with the best method the features allow.
func Load(o Options, feat *Features) (*Probes, error) {
	if err := rlimit.RemoveMemlock(); err != nil {
		return nil, fmt.Errorf("raise memlock limit (needed before Linux 5.11): %w", err)
	}
	for _, need := range []string{FacilityRingbuf, FacilityBpfLoop, FacilityBTF} {
		if !feat.Available(need) {
			return nil, fmt.Errorf("kernel lacks %s (%s): tracee-ebpf needs Linux 5.17 or newer with BTF", need, feat.Reason[need])
		}
	}
	// One attach method for every hook: tp_btf (direct BTF reads) where the
	// kernel has it, else raw_tracepoint (probe reads), each its own build
	// with the same program and map names.
	method, load := FacilityTpBtf, abi.LoadTracee
	if !feat.Available(FacilityTpBtf) {
		if !feat.Available(FacilityRawTp) {
			return nil, fmt.Errorf("neither tp_btf (%s) nor raw_tracepoint (%s) is available",
				feat.Reason[FacilityTpBtf], feat.Reason[FacilityRawTp])
		}
		method, load = FacilityRawTp, abi.LoadTraceeRaw
	}
	methods := map[string]string{}
	keep := map[string]bool{}
	for _, h := range abi.Hooks {
		if need, ok := needed[h.Name]; !ok {
			return nil, fmt.Errorf("hook %s: no rule for when it is needed", h.Name)
		} else if need(&o) {
			methods[h.Name] = method
			if h.OnDemand {
				methods[h.Name] = MethodOnDemand
			}
			keep[h.Prog] = true
		}
	}
	keepCapture(&o, keep, methods, method)
	keepNetwork(&o, keep)
	spec, origin, err := objectSpec(o.ObjectFile, load, keep)
	if err != nil {
		return nil, fmt.Errorf("load object: %w", err)
	}
	var ms abi.TraceeMapSpecs
	if err := spec.Assign(&ms); err != nil {
		return nil, fmt.Errorf("object maps: %w", err)
	}
	ncpu, err := ebpf.PossibleCPU()
	if err != nil {
		return nil, fmt.Errorf("count CPUs: %w", err)
	}
	ms.Scratch.MaxEntries = uint32(ncpu) * abi.SlotMax
	ms.BigScratch.MaxEntries = uint32(ncpu)
	sizeCapture(spec, uint32(ncpu))
	if o.RingBufferBytes != 0 {
		ms.Events.MaxEntries = o.RingBufferBytes
	}
	for name := range spec.Programs {
		if !keep[name] {
			delete(spec.Programs, name)
		}
	}

	ks, err := loadKernelSpec()
	if err != nil {
		return nil, err
	}
	coll, err := ebpf.NewCollectionWithOptions(spec, ebpf.CollectionOptions{
		Programs: ebpf.ProgramOptions{KernelTypes: ks},
	})
	if err != nil {
		var ve *ebpf.VerifierError
		if errors.As(err, &ve) {
			return nil, fmt.Errorf("load programs: %+v", ve)
		}
		return nil, fmt.Errorf("load programs: %w", err)
	}
	p := &Probes{coll: coll, Methods: methods, Object: origin}
	if err := coll.Assign(&p.maps); err != nil {
		coll.Close()
		return nil, fmt.Errorf("object maps: %w", err)
	}
	p.Events = p.maps.Events
	if err := p.configure(&o); err != nil {
		p.Close()
		return nil, err
	}
	if err := p.attachCapture(&o); err != nil {
		p.Close()
		return nil, err
	}
	for _, h := range abi.Hooks {
		m, ok := methods[h.Name]
		if !ok || h.OnDemand {
			continue
		}
		prog := coll.Programs[h.Prog]
		var l link.Link
		if m == FacilityTpBtf {
			l, err = link.AttachTracing(link.TracingOptions{Program: prog})
		} else {
			l, err = link.AttachRawTracepoint(link.RawTracepointOptions{Name: h.Name, Program: prog})
		}
		if err != nil {
			p.Close()
			return nil, fmt.Errorf("attach %s via %s: %w", h.Name, m, err)
		}
		p.links = append(p.links, l)
	}
	if err := p.attachNetwork(o.Network); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

func (p *Probes) configure(o *Options) error {
	m := &p.maps
	sel := map[uint32]uint32{}
	maps.Copy(sel, o.Selected)
	for nr, bits := range i386Work(o.Selected) {
		sel[nr] |= bits
	}
	for nr, bits := range sel {
		if nr >= events.MaxSyscallID {
			return fmt.Errorf("syscall %d out of range", nr)
		}
		if err := m.Selected.Put(nr, bits); err != nil {
			return fmt.Errorf("select syscall %d: %w", nr, err)
		}
	}
	for nr, kinds := range o.ArgKinds {
		if nr >= events.MaxSyscallID {
			continue
		}
		if err := m.SyscallArgs.Put(nr, abi.SyscallArgKinds{Kinds: kinds, FixedOnly: b2u8(fixedOnly(kinds))}); err != nil {
			return fmt.Errorf("argument kinds of syscall %d: %w", nr, err)
		}
	}
	if err := putCompat(m.CompatSyscalls); err != nil {
		return err
	}
	pats, err := putDataFilters(m, o.DataFilters)
	if err != nil {
		return err
	}
	if err := putWatchedDirs(m.WatchedDirs, events.WatchedDirs, pats); err != nil {
		return err
	}
	for _, id := range o.Priority {
		if err := m.PriorityEvents.Put(id, uint8(1)); err != nil {
			return fmt.Errorf("priority event %d: %w", id, err)
		}
	}
	cfg, err := p.configureScope(&o.Scope)
	if err != nil {
		return err
	}
	wake := o.WakeupBytes
	if wake == 0 {
		wake = 1
	}
	cfg.TraceePid, cfg.WakeupBytes, cfg.Emit = o.TraceePID, wake, o.Emit
	cfg.ExecArgsMax, cfg.Budget = o.ExecArgsMax, o.Budget
	if o.Budget > 0 {
		// with budgets, the last quarter of the ring is the priority events'
		cfg.ReserveAt = uint64(m.Events.MaxEntries()) / 4 * 3
	}
	if err := m.ConfigMap.Put(uint32(0), cfg); err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	return p.configureCapture(o.Capture)
}

// fixedOnly reports whether every argument is an integer or a pointer, so
// the kernel can store the raw registers without reading memory.
func fixedOnly(kinds [6]uint8) bool {
	for _, k := range kinds {
		if k := events.ArgKind(k); k != events.ArgNone && k.Size() == 0 {
			return false
		}
	}
	return true
}

func b2u8(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// ProgramIDs returns the kernel ids of the loaded programs.
func (p *Probes) ProgramIDs() []ebpf.ProgramID {
	var ids []ebpf.ProgramID
	if p.coll == nil {
		return nil
	}
	for _, prog := range p.coll.Programs {
		if info, err := prog.Info(); err == nil {
			if id, ok := info.ID(); ok {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// Detach stops every program; the maps stay readable until Close.
func (p *Probes) Detach() error {
	var errs []error
	for _, l := range p.links {
		if err := l.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	p.links = nil
	return errors.Join(errs...)
}

// Close detaches every link and frees the programs and maps.
func (p *Probes) Close() error {
	errs := []error{p.Detach()}
	if p.coll != nil {
		p.coll.Close()
		p.coll = nil
		errs = append(errs, p.maps.Close())
	}
	return errors.Join(errs...)
}

// Describe says in one line which method each hook uses.
func (p *Probes) Describe() string {
	var parts []string
	for h, m := range p.Methods {
		parts = append(parts, h+"="+m)
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

// Run runs the loaded on-demand hook (abi.yaml: on_demand) once in the
// calling thread with BPF_PROG_TEST_RUN: its context is args (at most 16
// words), the current task is the caller. It returns the program's return
// value; an error when the hook is not loaded or the run failed.
func (p *Probes) Run(hook string, args []uint64) (uint32, error) {
	var prog *ebpf.Program
	for _, h := range abi.Hooks {
		if h.Name == hook && h.OnDemand && p.coll != nil {
			prog = p.coll.Programs[h.Prog]
		}
	}
	if prog == nil {
		return 0, fmt.Errorf("run %s: not an on-demand hook of this load", hook)
	}
	if len(args) > 16 {
		return 0, fmt.Errorf("run %s: %d context words, at most 16", hook, len(args))
	}
	ctx := make([]byte, 8*len(args))
	for i, a := range args {
		binary.LittleEndian.PutUint64(ctx[8*i:], a)
	}
	ret, err := prog.Run(&ebpf.RunOptions{Context: ctx})
	if err != nil {
		return 0, fmt.Errorf("run %s: %w", hook, err)
	}
	return ret, nil
}
