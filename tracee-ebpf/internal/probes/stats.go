package probes

import "fmt"

// Stats are the kernel-side counters, summed over CPUs.
type Stats struct {
	Lost, ReadFailed, Truncated, Filtered uint64
	DataFiltered                          uint64 // dropped by the policies' data filters
	Throttled                             uint64 // dropped over a process's budget
	// RecursionMisses counts program runs the kernel skipped because the
	// same program was already running on that CPU: events lost too.
	RecursionMisses uint64
}

// Stats reads the counters.
func (p *Probes) Stats() (Stats, error) {
	var st Stats
	dst := []*uint64{&st.Lost, &st.ReadFailed, &st.Truncated, &st.Filtered, &st.DataFiltered, &st.Throttled}
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

// Throttled returns, per process (tgid), how many of its events the budget
// dropped since tracing began (processes still in the bounded table).
func (p *Probes) Throttled() (map[uint32]uint64, error) {
	out := map[uint32]uint64{}
	var (
		pid uint32
		b   traceeBudget
	)
	it := p.budgets.Iterate()
	for it.Next(&pid, &b) {
		if b.Dropped > 0 {
			out[pid] = b.Dropped
		}
	}
	if err := it.Err(); err != nil {
		return out, fmt.Errorf("read budgets: %w", err)
	}
	return out, nil
}
