package cri

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// Info is what a runtime knows about a container.
type Info struct {
	Name         string // container name ("" if the runtime has none)
	Image        string // image as the container was created from (name:tag)
	ImageDigest  string // sha256:... (repo digest when known, else image id)
	PodName      string
	PodNamespace string
	PodUID       string
}

// Kubernetes labels the CRI sets on a pod's containers.
const (
	LabelPodName       = "io.kubernetes.pod.name"
	LabelPodNamespace  = "io.kubernetes.pod.namespace"
	LabelPodUID        = "io.kubernetes.pod.uid"
	LabelContainerName = "io.kubernetes.container.name"
)

// fromLabels fills the Kubernetes fields (and the CRI container name when
// name is empty) from labels.
func (i *Info) fromLabels(labels map[string]string) {
	i.PodName, i.PodNamespace, i.PodUID = labels[LabelPodName], labels[LabelPodNamespace], labels[LabelPodUID]
	if n := labels[LabelContainerName]; n != "" && i.PodName != "" {
		i.Name = n
	}
}

// ErrNotFound: the runtime is up but does not know the container.
var ErrNotFound = errors.New("no such container")

// Runtime is one container runtime's API.
type Runtime interface {
	Name() string // "docker", "containerd"
	// Inspect returns the container's info, ErrNotFound, or another error
	// when the runtime could not be asked.
	Inspect(ctx context.Context, id string) (Info, error)
}

// Config sets up a Cache.
type Config struct {
	Timeout     time.Duration // per runtime request; default 2s (a loaded host answers slowly)
	MaxEntries  int           // cache bound; default 4096
	UnknownTTL  time.Duration // how long "no runtime knows it" is kept; default 5s
	DownBackoff time.Duration // how long a runtime that failed is skipped; default 10s
	Log         io.Writer     // one line when a runtime goes down or comes back; nil: silent
	Now         func() time.Time
}

// Stats count what the cache did.
type Stats struct {
	Lookups, Hits, Found, Unknown, Errors, Skipped uint64
}

// String is the one-line summary printed at exit.
func (s Stats) String() string {
	return fmt.Sprintf("container runtimes: %d containers asked, %d found, %d unknown, %d failed requests, %d skipped while a runtime was down",
		s.Lookups-s.Hits, s.Found, s.Unknown, s.Errors, s.Skipped)
}

type entry struct {
	info    *Info // nil: unknown
	expires time.Time
}

// Cache maps container ids to Info. Safe for concurrent use.
type Cache struct {
	cfg      Config
	runtimes []Runtime

	mu       sync.Mutex
	cur, old map[string]entry
	downTill map[string]time.Time
	stats    Stats
}

// NewCache asks runtimes in order.
func NewCache(cfg Config, runtimes ...Runtime) *Cache {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Second
	}
	if cfg.MaxEntries <= 1 {
		cfg.MaxEntries = 4096
	}
	if cfg.UnknownTTL <= 0 {
		cfg.UnknownTTL = 5 * time.Second
	}
	if cfg.DownBackoff <= 0 {
		cfg.DownBackoff = 10 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Cache{cfg: cfg, runtimes: runtimes, cur: map[string]entry{}, old: map[string]entry{}, downTill: map[string]time.Time{}}
}

// Stats returns the counters so far.
func (c *Cache) Stats() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats
}

func (c *Cache) put(id string, e entry) {
	if len(c.cur) >= c.cfg.MaxEntries/2 {
		c.old, c.cur = c.cur, make(map[string]entry, c.cfg.MaxEntries/2)
	}
	c.cur[id] = e
}

func (c *Cache) get(id string, now time.Time) (entry, bool) {
	e, ok := c.cur[id]
	if !ok {
		if e, ok = c.old[id]; ok {
			c.put(id, e)
		}
	}
	if ok && e.info == nil && now.After(e.expires) {
		return entry{}, false
	}
	return e, ok
}

// Lookup returns the container's info, or nil when no runtime knows it
// (or none could be asked). The result is shared: do not modify it.
func (c *Cache) Lookup(id string) *Info {
	if id == "" {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stats.Lookups++
	now := c.cfg.Now()
	if e, ok := c.get(id, now); ok {
		c.stats.Hits++
		return e.info
	}
	asked := false
	for _, r := range c.runtimes {
		if now.Before(c.downTill[r.Name()]) {
			c.stats.Skipped++
			continue
		}
		asked = true
		ctx, cancel := context.WithTimeout(context.Background(), c.cfg.Timeout)
		info, err := r.Inspect(ctx, id)
		cancel()
		switch {
		case err == nil:
			if _, was := c.downTill[r.Name()]; was {
				delete(c.downTill, r.Name())
				c.logf("cri: %s answers again", r.Name())
			}
			c.stats.Found++
			c.put(id, entry{info: &info})
			return &info
		case errors.Is(err, ErrNotFound):
			delete(c.downTill, r.Name())
		default:
			c.stats.Errors++
			if _, was := c.downTill[r.Name()]; !was {
				c.logf("cri: %s unavailable, container names from it missing until it answers: %v", r.Name(), err)
			}
			c.downTill[r.Name()] = now.Add(c.cfg.DownBackoff)
		}
	}
	c.stats.Unknown++
	if asked {
		c.put(id, entry{expires: now.Add(c.cfg.UnknownTTL)})
	}
	return nil
}

func (c *Cache) logf(format string, args ...any) {
	if c.cfg.Log != nil {
		fmt.Fprintf(c.cfg.Log, "tracee-ebpf: "+format+"\n", args...)
	}
}
