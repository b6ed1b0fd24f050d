package probes

import (
	"fmt"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/abi"
)

// Stats are the kernel-side counters, summed over CPUs.
type Stats struct {
	Lost, ReadFailed, Truncated, Filtered uint64
	DataFiltered                          uint64 // dropped by the policies' data filters
	DataFilteredLate                      uint64 // of DataFiltered, after the record was built
	Throttled                             uint64 // dropped over a process's budget
	Shed                                  uint64 // ordinary events dropped in the ring's priority reserve
	// RecursionMisses counts program runs the kernel skipped because the
	// same program was already running on that CPU: events lost too.
	RecursionMisses uint64
}

// Stats reads the counters.
func (p *Probes) Stats() (Stats, error) {
	var st Stats
	for key, dst := range map[uint32]*uint64{
		abi.StatLost: &st.Lost, abi.StatReadFailed: &st.ReadFailed,
		abi.StatTruncated: &st.Truncated, abi.StatFiltered: &st.Filtered,
		abi.StatDataFiltered: &st.DataFiltered, abi.StatDataFilteredLate: &st.DataFilteredLate,
		abi.StatThrottled: &st.Throttled, abi.StatShed: &st.Shed,
	} {
		var per []uint64
		if err := p.maps.Stats.Lookup(key, &per); err != nil {
			return st, fmt.Errorf("read counter %d: %w", key, err)
		}
		for _, v := range per {
			*dst += v
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

// Dropped is every event the kernel side lost: ring full, shed for the
// priority reserve, or a program run skipped by recursion.
func (s Stats) Dropped() uint64 { return s.Lost + s.Shed + s.RecursionMisses }

// Throttled returns, per process (tgid), how many of its events the budget
// dropped since tracing began (processes still in the bounded table).
func (p *Probes) Throttled() (map[uint32]uint64, error) {
	out := map[uint32]uint64{}
	var (
		pid     uint32
		dropped uint64
	)
	it := p.maps.Throttled.Iterate()
	for it.Next(&pid, &dropped) {
		out[pid] = dropped
	}
	if err := it.Err(); err != nil {
		return out, fmt.Errorf("read throttled: %w", err)
	}
	return out, nil
}
