package tracer

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/abi"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/filter"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/probes"
)

// maxExeFilter, maxU32Filter and maxStrFilter are the sizes of the kernel's
// scope filter maps (bpf/lib/maps.h).
const (
	maxExeFilter = 256
	maxU32Filter = 1024
	maxStrFilter = 256
)

// KernelScope translates one policy's scope filters into the kernel's maps
// and flags (policy bit 0).
func KernelScope(k *filter.Kernel, hostMntNS uint32, start uint64) (probes.Scope, error) {
	return KernelScopes([]*filter.Kernel{k}, hostMntNS, start)
}

// KernelScopes translates the scope filters of up to 64 policies (policy i
// is bit i) into the kernel's maps and flags. Filters the kernel has no room
// for (< and > on namespaces) are an error naming the filter. tree= roots
// are the given pids only (the caller adds their descendants).
func KernelScopes(ks []*filter.Kernel, hostMntNS uint32, start uint64) (probes.Scope, error) {
	s := probes.Scope{HostMntNS: hostMntNS, StartTime: start}
	if len(ks) == 0 || len(ks) > 64 {
		return s, fmt.Errorf("%d policies: want 1 to 64", len(ks))
	}
	for i, k := range ks {
		if err := addScope(&s, i, k); err != nil {
			if len(ks) > 1 {
				return s, fmt.Errorf("policy %d: %w", i, err)
			}
			return s, err
		}
	}
	for name, n := range map[string]int{"uid": len(s.UID), "pid": len(s.PID), "mntns": len(s.MntNS), "pidns": len(s.PidNS)} {
		if n > maxU32Filter {
			return s, fmt.Errorf("%s: %d values, the kernel holds at most %d", name, n, maxU32Filter)
		}
	}
	if len(s.Comm) > maxStrFilter || len(s.UTS) > maxStrFilter {
		return s, fmt.Errorf("comm, uts: at most %d values each", maxStrFilter)
	}
	if len(s.Exe) > maxExeFilter {
		return s, fmt.Errorf("executable: %d files, the kernel holds at most %d", len(s.Exe), maxExeFilter)
	}
	return s, nil
}

// addScope adds policy i's filters.
func addScope(s *probes.Scope, i int, k *filter.Kernel) error {
	bit := uint64(1) << i
	s.Policies |= bit
	set := func(flag uint32) {
		s.Flags |= flag
		s.FlagPolicies[bits.TrailingZeros32(flag)] |= bit
	}
	for _, sp := range []struct {
		name   string
		f      filter.NumFilter
		eq, ne uint32
		m      *map[uint32]abi.TraceeScopeBits
		ranged bool
	}{
		{"uid", k.UID, abi.FUidEq, abi.FUidNe, &s.UID, true},
		{"pid", k.PID, abi.FPidEq, abi.FPidNe, &s.PID, true},
		{"mntns", k.MntNS, abi.FMntnsEq, abi.FMntnsNe, &s.MntNS, false},
		{"pidns", k.PidNS, abi.FPidnsEq, abi.FPidnsNe, &s.PidNS, false},
	} {
		for _, v := range sp.f.Equal {
			if v > math.MaxUint32 {
				return fmt.Errorf("%s=%d: out of range", sp.name, v)
			}
			addBits(sp.m, uint32(v), bit, 0)
			set(sp.eq)
		}
		for _, v := range sp.f.NotEqual {
			if v > math.MaxUint32 {
				return fmt.Errorf("%s!=%d: out of range", sp.name, v)
			}
			addBits(sp.m, uint32(v), 0, bit)
			set(sp.ne)
		}
		if (sp.f.Less != nil || sp.f.Greater != nil) && !sp.ranged {
			return fmt.Errorf("%s< and %s>: not supported", sp.name, sp.name)
		}
	}
	if err := addRanges(s, i, k, set); err != nil {
		return err
	}
	for _, v := range k.Comm.Equal {
		addBits(&s.Comm, truncate15(v), bit, 0)
		set(abi.FCommEq)
	}
	for _, v := range k.Comm.NotEqual {
		addBits(&s.Comm, truncate15(v), 0, bit)
		set(abi.FCommNe)
	}
	// the kernel compares whole host names (up to 64 bytes), not the header's 16
	for _, v := range k.UTS.Equal {
		addBits(&s.UTS, v, bit, 0)
		set(abi.FUtsEq)
	}
	for _, v := range k.UTS.NotEqual {
		addBits(&s.UTS, v, 0, bit)
		set(abi.FUtsNe)
	}
	for _, id := range k.Exe.Equal {
		addBits(&s.Exe, abi.TraceeFileId{Dev: id.Dev, Ino: id.Ino}, bit, 0)
		set(abi.FExeEq)
	}
	for _, id := range k.Exe.NotEqual {
		addBits(&s.Exe, abi.TraceeFileId{Dev: id.Dev, Ino: id.Ino}, 0, bit)
		set(abi.FExeNe)
	}
	if k.Container != nil {
		if *k.Container {
			set(abi.FContainer)
		} else {
			set(abi.FNotContainer)
		}
	}
	if k.NewPID {
		set(abi.FNewPid)
	}
	if k.ContainerNew {
		set(abi.FContainer)
		set(abi.FNewPid)
	}
	if k.Follow {
		set(abi.FFollow)
	}
	if len(k.Tree) > 0 {
		set(abi.FTree)
		if s.Tree == nil {
			s.Tree = map[uint32]uint64{}
		}
		for _, pid := range k.Tree {
			s.Tree[pid] |= bit
		}
	}
	return nil
}

// addRanges sets policy i's uid and pid bounds.
func addRanges(s *probes.Scope, i int, k *filter.Kernel, set func(uint32)) error {
	if k.UID.Less == nil && k.UID.Greater == nil && k.PID.Less == nil && k.PID.Greater == nil {
		return nil
	}
	r := abi.TraceeScopeRange{UidHi: math.MaxUint64, PidHi: math.MaxUint64}
	if k.UID.Less != nil {
		r.UidHi = *k.UID.Less - 1 // the parser refuses uid<0
		set(abi.FUidLt)
	}
	if k.UID.Greater != nil {
		r.UidLo = *k.UID.Greater + 1
		set(abi.FUidGt)
	}
	if k.PID.Less != nil {
		r.PidHi = *k.PID.Less - 1
		set(abi.FPidLt)
	}
	if k.PID.Greater != nil {
		r.PidLo = *k.PID.Greater + 1
		set(abi.FPidGt)
	}
	if s.Ranges == nil {
		s.Ranges = map[int]abi.TraceeScopeRange{}
	}
	s.Ranges[i] = r
	return nil
}

func addBits[K comparable](m *map[K]abi.TraceeScopeBits, k K, eq, ne uint64) {
	if *m == nil {
		*m = map[K]abi.TraceeScopeBits{}
	}
	b := (*m)[k]
	b.Eq |= eq
	b.Ne |= ne
	(*m)[k] = b
}

func truncate15(v string) string {
	if len(v) > 15 {
		return v[:15] // the kernel keeps 15 bytes of comm and compares those
	}
	return v
}
