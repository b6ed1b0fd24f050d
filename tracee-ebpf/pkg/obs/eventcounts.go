package obs

import (
	"sort"
	"sync"
	"sync/atomic"
)

// DenseIDs is how many event ids get a preallocated counter: syscall
// numbers and the ids from 1000 on fit well below it.
const DenseIDs = 4096

// EventCounts counts events per event id: an atomic add in a fixed table
// for ids below DenseIDs, a map (under a lock) for the rare others.
type EventCounts struct {
	dense [DenseIDs]atomic.Uint64

	mu     sync.Mutex
	sparse map[int32]*atomic.Uint64
}

func (c *EventCounts) Inc(id int32) {
	if id >= 0 && id < DenseIDs {
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

type IDCount struct {
	ID    int32
	Count uint64
}

// NonZero returns the ids counted so far with their counts, by id.
func (c *EventCounts) NonZero() []IDCount {
	var out []IDCount
	for i := range c.dense {
		if n := c.dense[i].Load(); n > 0 {
			out = append(out, IDCount{int32(i), n})
		}
	}
	c.mu.Lock()
	for id, n := range c.sparse {
		out = append(out, IDCount{id, n.Load()})
	}
	c.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}
