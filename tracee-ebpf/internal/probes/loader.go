package probes

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"unsafe"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/rlimit"

	"github.com/tracee-go/tracee/proto/events"
)

// Selection bits per syscall (mirror SEL_* in bpf/lib/event.h).
const (
	SelEmitExit   uint32 = 1 << 0
	SelFailedOnly uint32 = 1 << 1 // with SelEmitExit: only when the call failed
	SelFileOpen   uint32 = 1 << 2
	SelSocketDup  uint32 = 1 << 3
	SelMagicWrite uint32 = 1 << 4
	SelFromExec   uint32 = 1 << 5 // successful execve/execveat, from sched_process_exec
	SelFromExit   uint32 = 1 << 6 // exit/exit_group, from sched_process_exit

	selAtSysExit = SelEmitExit | SelFileOpen | SelSocketDup | SelMagicWrite
)

// Kernel event emission bits (EMIT_* in event.h).
const (
	EmitFork uint32 = 1 << 0
	EmitExec uint32 = 1 << 1
	EmitExit uint32 = 1 << 2
)

// Scope filter bits (F_* in event.h).
const (
	FUIDEq uint32 = 1 << iota
	FUIDNe
	FPIDEq
	FPIDNe
	FMntNSEq
	FMntNSNe
	FPidNSEq
	FPidNSNe
	FCommEq
	FCommNe
	FUTSEq
	FUTSNe
	FUIDLt
	FUIDGt
	FPIDLt
	FPIDGt
	FContainer
	FNotContainer
	FNewPID
	FFollow
	FTree
)

// Filter map values.
const (
	FilterEq uint8 = 1
	FilterNe uint8 = 2
)

// Counters in the stats map (STAT_* in event.h).
const (
	statLost = iota
	statReadFailed
	statTruncated
	statFiltered
	statMax
)

// slotMax is SLOT_MAX in event.h: scratch records per CPU.
const slotMax = 4

// MaxSyscall bounds syscall numbers (MAX_SYSCALL_ID in events_gen.h).
const MaxSyscall = 512

// Scope holds the in-kernel scope filters.
type Scope struct {
	Flags                      uint32
	UIDLt, UIDGt, PIDLt, PIDGt uint64
	UID, PID, MntNS, PidNS     map[uint32]uint8 // value FilterEq or FilterNe
	Comm, UTS                  map[string]uint8
	Tree                       []uint32 // processes (and their descendants) to trace with FTree
	HostMntNS                  uint32
	StartTime                  uint64 // CLOCK_MONOTONIC ns, for FNewPID
}

// Options configure what the kernel side sends.
type Options struct {
	Selected        map[uint32]uint32   // syscall nr -> Sel* bits
	ArgKinds        map[uint32][6]uint8 // syscall nr -> encoding of its six arguments
	Emit            uint32              // Emit* bits
	Scope           Scope
	RingBufferBytes uint32 // power of two, multiple of the page size
	WakeupBytes     uint64 // wake the reader when this much is pending
	TraceePID       uint32 // never traced
	ObjectFile      string // load this BPF object instead of the embedded one (TRACEE_BPF_FILE)
}

// hook is one attach point with its program for each attach method.
type hook struct {
	name    string
	btfProg string // tp_btf entry point
	rawProg string // raw_tracepoint entry point
	needed  func(o *Options) bool
	tpName  string
}

func anySel(o *Options, bits uint32) bool {
	for _, v := range o.Selected {
		if v&bits != 0 {
			return true
		}
	}
	return false
}

var hooks = []hook{
	{"sys_exit", "tracee_sys_exit_btf", "tracee_sys_exit_raw", func(o *Options) bool { return anySel(o, selAtSysExit) }, "sys_exit"},
	{"sched_process_exec", "tracee_sched_exec_btf", "tracee_sched_exec_raw", func(o *Options) bool {
		return o.Emit&EmitExec != 0 || anySel(o, SelFromExec)
	}, "sched_process_exec"},
	{"sched_process_fork", "tracee_sched_fork_btf", "tracee_sched_fork_raw", func(o *Options) bool {
		return o.Emit&EmitFork != 0 || o.Scope.Flags&(FFollow|FTree) != 0
	}, "sched_process_fork"},
	{"sched_process_exit", "tracee_sched_exit_btf", "tracee_sched_exit_raw", func(o *Options) bool {
		return o.Emit&EmitExit != 0 || anySel(o, SelFromExit) || o.Scope.Flags&(FFollow|FTree) != 0
	}, "sched_process_exit"},
}

// Probes is the loaded and attached set of programs.
type Probes struct {
	coll    *ebpf.Collection
	links   []link.Link
	Methods map[string]string // hook -> "tp_btf" | "raw_tracepoint"
	Object  string            // "embedded", or the object file and its sha256
	Events  *ebpf.Map         // ring buffer
	stats   *ebpf.Map
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
	// kernel has it, else raw_tracepoint (probe reads), each its own build.
	method, load := FacilityTpBtf, loadTracee
	if !feat.Available(FacilityTpBtf) {
		if !feat.Available(FacilityRawTp) {
			return nil, fmt.Errorf("neither tp_btf (%s) nor raw_tracepoint (%s) is available",
				feat.Reason[FacilityTpBtf], feat.Reason[FacilityRawTp])
		}
		method, load = FacilityRawTp, loadTraceeraw
	}
	methods := map[string]string{}
	keep := map[string]bool{}
	for _, h := range hooks {
		if !h.needed(&o) {
			continue
		}
		methods[h.name] = method
		if method == FacilityTpBtf {
			keep[h.btfProg] = true
		} else {
			keep[h.rawProg] = true
		}
	}
	spec, origin, err := objectSpec(o.ObjectFile, load, keep)
	if err != nil {
		return nil, fmt.Errorf("load object: %w", err)
	}
	ncpu, err := ebpf.PossibleCPU()
	if err != nil {
		return nil, fmt.Errorf("count CPUs: %w", err)
	}
	spec.Maps["scratch"].MaxEntries = uint32(ncpu) * slotMax
	if o.RingBufferBytes != 0 {
		spec.Maps["events"].MaxEntries = o.RingBufferBytes
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
	p := &Probes{coll: coll, Methods: methods, Object: origin, Events: coll.Maps["events"], stats: coll.Maps["stats"]}
	if err := p.configure(&o); err != nil {
		p.Close()
		return nil, err
	}
	for _, h := range hooks {
		m, ok := methods[h.name]
		if !ok {
			continue
		}
		var l link.Link
		if m == FacilityTpBtf {
			l, err = link.AttachTracing(link.TracingOptions{Program: coll.Programs[h.btfProg]})
		} else {
			l, err = link.AttachRawTracepoint(link.RawTracepointOptions{Name: h.tpName, Program: coll.Programs[h.rawProg]})
		}
		if err != nil {
			p.Close()
			return nil, fmt.Errorf("attach %s via %s: %w", h.name, m, err)
		}
		p.links = append(p.links, l)
	}
	return p, nil
}

func (p *Probes) configure(o *Options) error {
	m := p.coll.Maps
	for nr, bits := range o.Selected {
		if nr >= MaxSyscall {
			return fmt.Errorf("syscall %d out of range", nr)
		}
		if err := m["selected"].Put(nr, bits); err != nil {
			return fmt.Errorf("select syscall %d: %w", nr, err)
		}
	}
	for nr, kinds := range o.ArgKinds {
		if nr >= MaxSyscall {
			continue
		}
		if err := m["syscall_args"].Put(nr, traceeSyscallArgKinds{Kinds: kinds, FixedOnly: b2u8(fixedOnly(kinds))}); err != nil {
			return fmt.Errorf("argument kinds of syscall %d: %w", nr, err)
		}
	}
	s := &o.Scope
	putU32 := func(name string, vals map[uint32]uint8) error {
		for k, v := range vals {
			if err := m[name].Put(k, v); err != nil {
				return fmt.Errorf("filter %s: %w", name, err)
			}
		}
		return nil
	}
	putStr := func(name string, vals map[string]uint8) error {
		for k, v := range vals {
			var key traceeStr16
			for i := 0; i < len(k) && i < 15; i++ {
				key.S[i] = int8(k[i])
			}
			if err := m[name].Put(key, v); err != nil {
				return fmt.Errorf("filter %s: %w", name, err)
			}
		}
		return nil
	}
	for _, err := range []error{
		putU32("uid_filter", s.UID), putU32("pid_filter", s.PID),
		putU32("mntns_filter", s.MntNS), putU32("pidns_filter", s.PidNS),
		putStr("comm_filter", s.Comm), putStr("uts_filter", s.UTS),
	} {
		if err != nil {
			return err
		}
	}
	for _, pid := range s.Tree {
		if err := m["traced_procs"].Put(pid, uint8(1)); err != nil {
			return fmt.Errorf("tree root %d: %w", pid, err)
		}
	}
	wake := o.WakeupBytes
	if wake == 0 {
		wake = 1
	}
	cfg := traceeConfig{
		TraceePid: o.TraceePID, FilterFlags: s.Flags,
		UidLt: s.UIDLt, UidGt: s.UIDGt, PidLt: s.PIDLt, PidGt: s.PIDGt,
		StartTime: s.StartTime, HostMntns: s.HostMntNS, WakeupBytes: wake, Emit: o.Emit,
	}
	if err := m["config_map"].Put(uint32(0), cfg); err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	return nil
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

// Stats are the kernel-side counters, summed over CPUs.
type Stats struct {
	Lost, ReadFailed, Truncated, Filtered uint64
	// RecursionMisses counts program runs the kernel skipped because the
	// same program was already running on that CPU: events lost too.
	RecursionMisses uint64
}

// Stats reads the counters.
func (p *Probes) Stats() (Stats, error) {
	var st Stats
	dst := []*uint64{&st.Lost, &st.ReadFailed, &st.Truncated, &st.Filtered}
	for i := uint32(0); i < statMax; i++ {
		var per []uint64
		if err := p.stats.Lookup(i, &per); err != nil {
			return st, fmt.Errorf("read counter %d: %w", i, err)
		}
		for _, v := range per {
			*dst[i] += v
		}
	}
	for _, prog := range p.coll.Programs {
		ps, err := prog.Stats()
		if err != nil {
			continue
		}
		st.RecursionMisses += ps.RecursionMisses
	}
	return st, nil
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

// Empty probe variants for benchmarks.
const (
	EmptyBoth    = "both"     // raw_tracepoint sys_enter + sys_exit: the floor of hooking every syscall
	EmptyExitRaw = "exit-raw" // raw_tracepoint sys_exit only
	EmptyExitBTF = "exit-btf" // tp_btf sys_exit only
)

// EmptyProbe attaches empty programs to sys_enter and/or sys_exit: the cost
// floor of any design that hooks every syscall. Used by benchmarks.
func EmptyProbe(variant string) (func() error, error) {
	spec, err := loadTracee()
	if err != nil {
		return nil, err
	}
	progs := map[string]string{"tracee_empty_enter": "sys_enter", "tracee_empty_exit": "sys_exit"}
	switch variant {
	case EmptyExitRaw:
		progs = map[string]string{"tracee_empty_exit": "sys_exit"}
	case EmptyExitBTF:
		progs = map[string]string{"tracee_empty_exit_btf": ""}
	}
	for name := range spec.Programs {
		if _, ok := progs[name]; !ok {
			delete(spec.Programs, name)
		}
	}
	coll, err := ebpf.NewCollection(spec)
	if err != nil {
		return nil, fmt.Errorf("load empty probes: %w", err)
	}
	var links []link.Link
	for name, tp := range progs {
		var l link.Link
		var err error
		if tp == "" {
			l, err = link.AttachTracing(link.TracingOptions{Program: coll.Programs[name]})
		} else {
			l, err = link.AttachRawTracepoint(link.RawTracepointOptions{Name: tp, Program: coll.Programs[name]})
		}
		if err != nil {
			coll.Close()
			return nil, err
		}
		links = append(links, l)
	}
	return func() error {
		for _, l := range links {
			l.Close()
		}
		coll.Close()
		return nil
	}, nil
}

// RecordHeaderSize is the size of struct event_ctx.
const RecordHeaderSize = int(unsafe.Sizeof(traceeEventCtx{}))

// CheckPrivileges returns an error naming the missing capabilities.
func CheckPrivileges() error {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return fmt.Errorf("read capabilities: %w", err)
	}
	var eff uint64
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "CapEff:"); ok {
			fmt.Sscanf(strings.TrimSpace(v), "%x", &eff)
		}
	}
	const capSysAdmin, capPerfmon, capBPF = 21, 38, 39
	has := func(c uint) bool { return eff&(1<<c) != 0 }
	if has(capSysAdmin) || (has(capBPF) && has(capPerfmon)) {
		return nil
	}
	var missing []string
	if !has(capBPF) {
		missing = append(missing, "CAP_BPF")
	}
	if !has(capPerfmon) {
		missing = append(missing, "CAP_PERFMON")
	}
	return fmt.Errorf("not privileged enough: missing %s (or CAP_SYS_ADMIN); run as root or grant them", strings.Join(missing, " and "))
}
