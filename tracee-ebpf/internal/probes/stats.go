package probes

import "fmt"

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
