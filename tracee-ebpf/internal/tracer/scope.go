package tracer

import (
	"fmt"
	"math"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/abi"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/filter"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/probes"
)

// maxExeFilter is the size of the kernel's exe_filter map (bpf/lib/maps.h).
const maxExeFilter = 256

// numBits names the kernel bits of one numeric filter.
type numBits struct{ eq, ne, lt, gt uint32 }

// KernelScope translates the parsed scope filters into the kernel's maps and
// flags. Filters the kernel has no room for (< and > on namespaces) are an
// error naming the filter.
func KernelScope(k *filter.Kernel, hostMntNS uint32, start uint64) (probes.Scope, error) {
	s := probes.Scope{HostMntNS: hostMntNS, StartTime: start}
	type numSpec struct {
		name string
		f    filter.NumFilter
		bits numBits
		m    *map[uint32]uint8
		lt   *uint64
		gt   *uint64
	}
	specs := []numSpec{
		{"uid", k.UID, numBits{abi.FUidEq, abi.FUidNe, abi.FUidLt, abi.FUidGt}, &s.UID, &s.UIDLt, &s.UIDGt},
		{"pid", k.PID, numBits{abi.FPidEq, abi.FPidNe, abi.FPidLt, abi.FPidGt}, &s.PID, &s.PIDLt, &s.PIDGt},
		{"mntns", k.MntNS, numBits{abi.FMntnsEq, abi.FMntnsNe, 0, 0}, &s.MntNS, nil, nil},
		{"pidns", k.PidNS, numBits{abi.FPidnsEq, abi.FPidnsNe, 0, 0}, &s.PidNS, nil, nil},
	}
	for _, sp := range specs {
		if err := applyNum(&s, sp.name, sp.f, sp.bits, sp.m, sp.lt, sp.gt); err != nil {
			return s, err
		}
	}
	applyStr := func(f filter.StringFilter, eq, ne uint32, m *map[string]uint8, cut func(string) string) {
		if len(f.Equal)+len(f.NotEqual) == 0 {
			return
		}
		*m = map[string]uint8{}
		for _, v := range f.Equal {
			(*m)[cut(v)] = abi.FilterEq
			s.Flags |= eq
		}
		for _, v := range f.NotEqual {
			(*m)[cut(v)] = abi.FilterNe
			s.Flags |= ne
		}
	}
	applyStr(k.Comm, abi.FCommEq, abi.FCommNe, &s.Comm, truncate15)
	// the kernel compares whole host names (up to 64 bytes), not the header's 16
	applyStr(k.UTS, abi.FUtsEq, abi.FUtsNe, &s.UTS, func(v string) string { return v })
	if k.Container != nil {
		if *k.Container {
			s.Flags |= abi.FContainer
		} else {
			s.Flags |= abi.FNotContainer
		}
	}
	if k.Exe.Active() {
		s.Exe = map[abi.TraceeFileId]uint8{}
		for _, id := range k.Exe.Equal {
			s.Exe[abi.TraceeFileId{Dev: id.Dev, Ino: id.Ino}] = abi.FilterEq
			s.Flags |= abi.FExeEq
		}
		for _, id := range k.Exe.NotEqual {
			s.Exe[abi.TraceeFileId{Dev: id.Dev, Ino: id.Ino}] = abi.FilterNe
			s.Flags |= abi.FExeNe
		}
		if len(s.Exe) > maxExeFilter {
			return s, fmt.Errorf("executable: %d files, the kernel holds at most %d", len(s.Exe), maxExeFilter)
		}
	}
	if k.NewPID {
		s.Flags |= abi.FNewPid
	}
	if k.ContainerNew {
		s.Flags |= abi.FContainer | abi.FNewPid
	}
	if k.Follow {
		s.Flags |= abi.FFollow
	}
	if len(k.Tree) > 0 {
		s.Flags |= abi.FTree
		s.Tree = append(s.Tree, k.Tree...)
	}
	return s, nil
}

func truncate15(v string) string {
	if len(v) > 15 {
		return v[:15] // the kernel keeps 15 bytes of comm and compares those
	}
	return v
}

func applyNum(s *probes.Scope, name string, f filter.NumFilter, b numBits, m *map[uint32]uint8, lt, gt *uint64) error {
	if len(f.Equal)+len(f.NotEqual) > 0 {
		*m = map[uint32]uint8{}
	}
	for _, v := range f.Equal {
		if v > math.MaxUint32 {
			return fmt.Errorf("%s=%d: out of range", name, v)
		}
		(*m)[uint32(v)] = abi.FilterEq
		s.Flags |= b.eq
	}
	for _, v := range f.NotEqual {
		if v > math.MaxUint32 {
			return fmt.Errorf("%s!=%d: out of range", name, v)
		}
		(*m)[uint32(v)] = abi.FilterNe
		s.Flags |= b.ne
	}
	if f.Less != nil {
		if lt == nil {
			return fmt.Errorf("%s<: not supported", name)
		}
		*lt = *f.Less
		s.Flags |= b.lt
	}
	if f.Greater != nil {
		if gt == nil {
			return fmt.Errorf("%s>: not supported", name)
		}
		*gt = *f.Greater
		s.Flags |= b.gt
	}
	return nil
}
