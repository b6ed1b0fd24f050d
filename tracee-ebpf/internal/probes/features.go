package probes

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/features"
	"github.com/cilium/ebpf/link"
)

// Facility names used by the event table's Requires lists.
const (
	FacilityTpBtf   = "tp_btf"
	FacilityRawTp   = "raw_tracepoint"
	FacilityKprobe  = "kprobe"
	FacilityFentry  = "fentry"
	FacilityLSM     = "lsm"
	FacilityRingbuf = "ringbuf"
	FacilityBpfLoop = "bpf_loop"
	FacilityBTF     = "btf"
)

// Features says which kernel facilities work here, and why not where they don't.
type Features struct {
	Have   map[string]bool
	Reason map[string]string
}

// Available reports whether a facility works.
func (f *Features) Available(name string) bool { return f.Have[name] }

// Summary is a one-line description for start-up logs.
func (f *Features) Summary() string {
	var yes, no []string
	for k, v := range f.Have {
		if v {
			yes = append(yes, k)
		} else {
			no = append(no, k)
		}
	}
	sort.Strings(yes)
	sort.Strings(no)
	return fmt.Sprintf("available: %s; unavailable: %s", strings.Join(yes, ","), strings.Join(no, ","))
}

var retZero = asm.Instructions{asm.Mov.Imm(asm.R0, 0), asm.Return()}

func tryLoad(spec *ebpf.ProgramSpec) error {
	p, err := ebpf.NewProgramWithOptions(spec, ebpf.ProgramOptions{})
	if err != nil {
		return err
	}
	return p.Close()
}

// ProbeFeatures loads and attaches tiny programs to learn what this kernel
// allows. It trusts real loads over feature listings, which can be wrong.
func ProbeFeatures() *Features {
	f := &Features{Have: map[string]bool{}, Reason: map[string]string{}}
	set := func(name string, err error) {
		f.Have[name] = err == nil
		if err != nil {
			f.Reason[name] = err.Error()
		}
	}

	set(FacilityRingbuf, features.HaveMapType(ebpf.RingBuf))
	set(FacilityRawTp, features.HaveProgramType(ebpf.RawTracepoint))
	set(FacilityBpfLoop, features.HaveProgramHelper(ebpf.RawTracepoint, asm.FnLoop))

	_, btfErr := loadKernelSpec()
	set(FacilityBTF, btfErr)

	set(FacilityTpBtf, tryLoad(&ebpf.ProgramSpec{
		Type: ebpf.Tracing, AttachType: ebpf.AttachTraceRawTp, AttachTo: "sys_enter",
		Instructions: retZero, License: "GPL",
	}))
	set(FacilityFentry, tryLoad(&ebpf.ProgramSpec{
		Type: ebpf.Tracing, AttachType: ebpf.AttachTraceFEntry, AttachTo: "do_sys_openat2",
		Instructions: retZero, License: "GPL",
	}))
	set(FacilityLSM, tryLoad(&ebpf.ProgramSpec{
		Type: ebpf.LSM, AttachType: ebpf.AttachLSMMac, AttachTo: "file_open",
		Instructions: retZero, License: "GPL",
	}))
	set(FacilityKprobe, probeKprobe())
	return f
}

func probeKprobe() error {
	p, err := ebpf.NewProgram(&ebpf.ProgramSpec{Type: ebpf.Kprobe, Instructions: retZero, License: "GPL"})
	if err != nil {
		return err
	}
	defer p.Close()
	l, err := link.Kprobe("do_sys_openat2", p, nil)
	if err != nil {
		if errors.Is(err, ebpf.ErrNotSupported) {
			return fmt.Errorf("kprobes not supported by this kernel: %w", err)
		}
		return err
	}
	return l.Close()
}
