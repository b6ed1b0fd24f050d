package metrics

import (
	"sort"
	"sync"
	"sync/atomic"
)

// denseIDs is how many event ids get a preallocated counter: syscall
// numbers and the ids from 1000 on fit well below it.
const denseIDs = 4096

// eventCounts counts events per event id: an atomic add in a fixed table
// for ids below denseIDs, a map (under a lock) for the rare others.
type eventCounts struct {
	dense [denseIDs]atomic.Uint64

	mu     sync.Mutex
	sparse map[int32]*atomic.Uint64
}

func (c *eventCounts) inc(id int32) {
	if id >= 0 && id < denseIDs {
		c.dense[id].Add(1)
		return
	}
	c.mu.Lock()
	n := c.sparse[id]
	if n == nil {
		if c.sparse == nil {
			c.sparse = map[int32]*atomic.Uint64{}
		}
		n = new(atomic.Uint64)
		c.sparse[id] = n
	}
	c.mu.Unlock()
	n.Add(1)
}

type idCount struct {
	id    int32
	count uint64
}

// nonZero returns the ids counted so far with their counts, by id.
func (c *eventCounts) nonZero() []idCount {
	var out []idCount
	for i := range c.dense {
		if n := c.dense[i].Load(); n > 0 {
			out = append(out, idCount{int32(i), n})
		}
	}
	c.mu.Lock()
	for id, n := range c.sparse {
		out = append(out, idCount{id, n.Load()})
	}
	c.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out
}
