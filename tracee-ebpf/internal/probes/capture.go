package probes

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/abi"
)

// Capture bits (CAPF_* in bpf/hooks/capture.h).
const (
	CaptureWrite  uint32 = 1 << 0 // writes to files under Prefixes (all regular files when none)
	CaptureModule uint32 = 1 << 1 // init_module images, finit_module files
	CaptureBPF    uint32 = 1 << 2 // bpf(BPF_PROG_LOAD) instructions
	CaptureMemfd  uint32 = 1 << 3 // writes to memfd files (exec capture of processes gone at once)
	CaptureMem    uint32 = 1 << 4 // regions made executable (mmap anonymous, mprotect, pkey_mprotect)
)

// Capture chunk kinds (CAPK_* in capture.h): the kind argument of capture_chunk.
const (
	ChunkWrite      = 1
	ChunkModule     = 2
	ChunkModuleFile = 3
	ChunkBPF        = 4
	ChunkMemfd      = 5
	ChunkMem        = 6
)

// Limits of the capture program (capture.h).
const (
	CaptureMaxPrefixes = 8
	CapturePrefixLen   = 255 // bytes of a prefix compared
	CaptureChunk       = 4096
	CaptureMaxBytes    = 4096 * 4096 // per syscall
)

// CaptureOptions configure the capture program; nil or zero Flags: not attached.
type CaptureOptions struct {
	Flags    uint32
	Prefixes []string
	MaxBytes uint64 // per syscall, at most CaptureMaxBytes
}

func (o *Options) captureOn() bool { return o.Capture != nil && o.Capture.Flags != 0 }

// captureProg is bpf/hooks/capture.h's program on sys_exit.
const captureProg = "tracee_capture_exit"

// sizeCapture gives the capture program a record per CPU and a path slot
// of its own (CAPTURE_PATH_SLOT = SLOT_MAX).
func sizeCapture(spec *ebpf.CollectionSpec, ncpu uint32) {
	if m := spec.Maps["capture_scratch"]; m != nil {
		m.MaxEntries = ncpu
	}
	if m := spec.Maps["path_scratch"]; m != nil {
		m.MaxEntries = abi.SlotMax + 1
	}
}

func keepCapture(o *Options, keep map[string]bool, methods map[string]string, method string) {
	if o.captureOn() {
		keep[captureProg] = true
		methods["capture"] = method
	}
}

// attachCapture attaches the capture program before the hooks: on
// sys_exit it then runs before the sys_exit program, and a syscall's
// captured bytes precede its event in the ring buffer.
func (p *Probes) attachCapture(o *Options) error {
	if !o.captureOn() {
		return nil
	}
	prog := p.coll.Programs[captureProg]
	var l link.Link
	var err error
	if p.Methods["capture"] == FacilityTpBtf {
		l, err = link.AttachTracing(link.TracingOptions{Program: prog})
	} else {
		l, err = link.AttachRawTracepoint(link.RawTracepointOptions{Name: "sys_exit", Program: prog})
	}
	if err != nil {
		return fmt.Errorf("attach capture via %s: %w", p.Methods["capture"], err)
	}
	p.links = append(p.links, l)
	return nil
}

// configureCapture writes capture_cfg_map and capture_prefixes.
func (p *Probes) configureCapture(o *CaptureOptions) error {
	if o == nil || o.Flags == 0 {
		return nil
	}
	if len(o.Prefixes) > CaptureMaxPrefixes {
		return fmt.Errorf("capture: at most %d write prefixes (got %d)", CaptureMaxPrefixes, len(o.Prefixes))
	}
	for i, pfx := range o.Prefixes {
		if len(pfx) == 0 || len(pfx) > CapturePrefixLen {
			return fmt.Errorf("capture: write prefix %q: length must be 1 to %d bytes", pfx, CapturePrefixLen)
		}
		v := make([]byte, 4+256)
		binary.LittleEndian.PutUint32(v, uint32(len(pfx)))
		copy(v[4:], pfx)
		if err := p.maps.CapturePrefixes.Put(uint32(i), v); err != nil {
			return fmt.Errorf("capture: write prefix %q: %w", pfx, err)
		}
	}
	max := o.MaxBytes
	if max == 0 || max > CaptureMaxBytes {
		max = CaptureMaxBytes
	}
	v := make([]byte, 16)
	binary.LittleEndian.PutUint32(v, o.Flags)
	binary.LittleEndian.PutUint32(v[4:], uint32(len(o.Prefixes)))
	binary.LittleEndian.PutUint64(v[8:], max)
	if err := p.maps.CaptureCfgMap.Put(uint32(0), v); err != nil {
		return fmt.Errorf("capture: configure: %w", err)
	}
	return nil
}

// StopCapture turns the capture and packet programs off (a spent budget,
// a full disk): they stay attached and return at once.
func (p *Probes) StopCapture() error {
	var errs []error
	if p.maps.CaptureCfgMap != nil {
		errs = append(errs, p.maps.CaptureCfgMap.Put(uint32(0), make([]byte, 16)))
	}
	if p.maps.PcapCfgMap != nil {
		errs = append(errs, p.maps.PcapCfgMap.Put(uint32(0), make([]byte, 8)))
	}
	return errors.Join(errs...)
}
