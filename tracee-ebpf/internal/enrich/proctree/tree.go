package proctree

import (
	"path"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

// Process is what the tree knows about one process.
type Process struct {
	HostPID   int32  // tgid in the tracer's pid namespace
	HostPPID  int32  // parent's tgid, 0 if unknown
	PID       int32  // pid in its own (innermost) pid namespace, 0 if unknown
	PidNS     uint32 // inode of its pid namespace, 0 if unknown
	Comm      string
	StartTime int64 // unix ns, 0 if unknown
	ExitTime  int64 // unix ns (tree clock) when it exited, 0 while alive

	seen uint64 // update counter when last touched
}

// Config bounds the tree.
type Config struct {
	MaxEntries int              // default 32768
	ExitGrace  time.Duration    // default 10s
	Now        func() time.Time // default time.Now
}

type nsKey struct {
	ns  uint32
	pid int32
}

// Tree is a process tree. It is safe for concurrent use.
type Tree struct {
	mu      sync.Mutex
	cfg     Config
	procs   map[int32]*Process
	byNS    map[nsKey]int32
	selfNS  uint32 // the tracer's own pid namespace (host pid == ns pid there)
	tick    uint64
	lastGC  time.Time
	evicted uint64

	// version changes whenever a parent link or a name changes; cached
	// ancestries of an older version are recomputed.
	version atomic.Uint64
	anc     map[int32]ancestry
	updates uint64
}

type ancestry struct {
	version uint64
	max     int
	list    []*pb.Ancestor
}

// New returns an empty tree.
func New(cfg Config) *Tree {
	if cfg.MaxEntries <= 0 {
		cfg.MaxEntries = 32768
	}
	if cfg.ExitGrace <= 0 {
		cfg.ExitGrace = 10 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Tree{cfg: cfg, procs: map[int32]*Process{}, byNS: map[nsKey]int32{}}
}

// SetSelfPidNS tells the tree which pid namespace host pids live in, so
// that pids of that namespace resolve to themselves. SeedFromProc sets it.
func (t *Tree) SetSelfPidNS(ns uint32) {
	t.mu.Lock()
	t.selfNS = ns
	t.mu.Unlock()
}

// Len is the number of processes held.
func (t *Tree) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.procs)
}

// Evicted counts processes dropped because the tree was full.
func (t *Tree) Evicted() uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.evicted
}

// Lookup returns a copy of what the tree knows about hostPID.
func (t *Tree) Lookup(hostPID int32) (Process, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p, ok := t.procs[hostPID]
	if !ok {
		return Process{}, false
	}
	return *p, true
}

// Put inserts or replaces a process (used by seeding and tests).
func (t *Tree) Put(p Process) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.put(&p)
}

func (t *Tree) put(p *Process) {
	if old, ok := t.procs[p.HostPID]; ok {
		t.unindex(old)
	} else if len(t.procs) >= t.cfg.MaxEntries {
		t.makeRoom()
	}
	t.tick++
	p.seen = t.tick
	t.procs[p.HostPID] = p
	t.index(p)
	t.version.Add(1)
}

func (t *Tree) index(p *Process) {
	if p.PidNS != 0 && p.PID != 0 {
		t.byNS[nsKey{p.PidNS, p.PID}] = p.HostPID
	}
}

func (t *Tree) unindex(p *Process) {
	k := nsKey{p.PidNS, p.PID}
	if t.byNS[k] == p.HostPID {
		delete(t.byNS, k)
	}
}

func (t *Tree) remove(p *Process) {
	t.unindex(p)
	delete(t.procs, p.HostPID)
	t.version.Add(1)
}

// gc removes processes whose grace period is over.
func (t *Tree) gc(now time.Time) {
	t.lastGC = now
	limit := now.Add(-t.cfg.ExitGrace).UnixNano()
	for _, p := range t.procs {
		if p.ExitTime != 0 && p.ExitTime <= limit {
			t.remove(p)
		}
	}
}

// makeRoom frees at least one sixteenth of the capacity: expired exits,
// then other exited processes, then the least recently seen.
func (t *Tree) makeRoom() {
	t.gc(t.cfg.Now())
	target := t.cfg.MaxEntries - max(1, t.cfg.MaxEntries/16)
	if len(t.procs) <= target {
		return
	}
	all := make([]*Process, 0, len(t.procs))
	for _, p := range t.procs {
		all = append(all, p)
	}
	sort.Slice(all, func(i, j int) bool {
		ei, ej := all[i].ExitTime != 0, all[j].ExitTime != 0
		if ei != ej {
			return ei
		}
		return all[i].seen < all[j].seen
	})
	for _, p := range all[:len(all)-target] {
		t.remove(p)
		t.evicted++
	}
}

const commLen = 15

// Update applies one event to the tree.
func (t *Tree) Update(ev *pb.Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	id := events.ID(ev.GetEventId())
	lifecycle := id == events.SchedProcessFork || id == events.SchedProcessExec || id == events.SchedProcessExit
	var now time.Time
	// The clock is read for process-lifecycle events and once in a while
	// otherwise: this runs for every event a busy tracer prints.
	if t.updates++; lifecycle || t.updates%1024 == 0 {
		now = t.cfg.Now()
		if now.Sub(t.lastGC) >= t.cfg.ExitGrace/2 {
			t.gc(now)
		}
	}
	switch id {
	case events.SchedProcessFork:
		t.fork(ev)
	case events.SchedProcessExec:
		t.context(ev)
		if p := t.procs[ev.GetHostProcessId()]; p != nil && ev.GetProcessName() == "" {
			if pathname, _ := pb.Arg[string](ev, "pathname"); pathname != "" {
				p.Comm = truncate(path.Base(pathname))
				t.version.Add(1)
			}
		}
	case events.SchedProcessExit:
		t.context(ev)
		group, ok := pb.Arg[bool](ev, "process_group_exit")
		if !ok {
			group = ev.GetHostThreadId() == ev.GetHostProcessId()
		}
		if p := t.procs[ev.GetHostProcessId()]; p != nil && group {
			p.ExitTime = now.UnixNano()
		}
	default:
		t.context(ev)
	}
}

func truncate(s string) string {
	if len(s) > commLen {
		return s[:commLen]
	}
	return s
}

// context refreshes the event's own process from its context.
func (t *Tree) context(ev *pb.Event) {
	hp := ev.GetHostProcessId()
	if hp <= 0 {
		return
	}
	p, ok := t.procs[hp]
	if ok && p.ExitTime != 0 {
		return // a late event of an exited process: keep the record as it was
	}
	if !ok {
		p = &Process{HostPID: hp}
		t.put(p)
	}
	t.tick++
	p.seen = t.tick
	if pp := ev.GetHostParentProcessId(); pp > 0 && pp != p.HostPPID {
		p.HostPPID = pp
		t.version.Add(1)
	}
	mainThread := ev.GetHostThreadId() == hp || ev.GetHostThreadId() == 0
	if n := ev.GetProcessName(); mainThread && n != "" && n != p.Comm {
		p.Comm = n
		t.version.Add(1)
	}
	if ev.GetPidNamespace() != 0 && ev.GetProcessId() != 0 &&
		(p.PidNS != ev.GetPidNamespace() || p.PID != ev.GetProcessId()) {
		t.unindex(p)
		p.PidNS, p.PID = ev.GetPidNamespace(), ev.GetProcessId()
		t.index(p)
	}
}

func (t *Tree) fork(ev *pb.Event) {
	t.context(ev)
	childPID, ok1 := pb.Arg[int64](ev, "child_pid")
	childTID, ok2 := pb.Arg[int64](ev, "child_tid")
	if !ok1 || childPID <= 0 || (ok2 && childTID != childPID) {
		return // a new thread, or a broken record
	}
	parentPID, ok := pb.Arg[int64](ev, "parent_pid")
	if !ok {
		parentPID = int64(ev.GetHostProcessId())
	}
	nsPID, _ := pb.Arg[int64](ev, "child_ns_pid")
	child := &Process{
		HostPID:   int32(childPID),
		HostPPID:  int32(parentPID),
		PID:       int32(nsPID),
		PidNS:     ev.GetPidNamespace(), // the parent's; corrected by the child's own events
		Comm:      ev.GetProcessName(),
		StartTime: ev.GetTimestamp(),
	}
	if parent := t.procs[int32(parentPID)]; parent != nil && child.Comm == "" {
		child.Comm = parent.Comm
	}
	if nsPID == 1 {
		child.PidNS = 0 // first process of a new pid namespace: unknown until it reports
	}
	t.put(child)
}

// Version changes whenever a parent link or a process name in the tree
// changes (cheap: no lock).
func (t *Tree) Version() uint64 { return t.version.Load() }

// Ancestry returns up to max ancestors of hostPID, parent first. It stops
// at a process the tree does not know, at pid 0, or at a loop. The result
// is cached until the tree changes and shared between callers: do not
// modify it.
func (t *Tree) Ancestry(hostPID int32, max int) []*pb.Ancestor {
	t.mu.Lock()
	defer t.mu.Unlock()
	if c, ok := t.anc[hostPID]; ok && c.version == t.version.Load() && c.max == max {
		return c.list
	}
	out := t.ancestry(hostPID, max)
	if t.anc == nil || len(t.anc) >= t.cfg.MaxEntries {
		t.anc = make(map[int32]ancestry)
	}
	t.anc[hostPID] = ancestry{version: t.version.Load(), max: max, list: out}
	return out
}

func (t *Tree) ancestry(hostPID int32, max int) []*pb.Ancestor {
	p := t.procs[hostPID]
	if p == nil {
		return nil
	}
	var out []*pb.Ancestor
	seen := map[int32]bool{hostPID: true}
	for len(out) < max {
		pp := p.HostPPID
		if pp <= 0 || seen[pp] {
			break
		}
		seen[pp] = true
		parent := t.procs[pp]
		if parent == nil {
			break
		}
		out = append(out, &pb.Ancestor{HostPid: parent.HostPID, Pid: parent.PID, Comm: parent.Comm})
		p = parent
	}
	return out
}

// ResolvePid translates pid nsPID as seen in pid namespace pidNS (the
// namespace of the event that names it, e.g. ptrace's target) to a host
// pid. It knows the innermost pid of each process and the tracer's own
// namespace; a pid in an intermediate namespace of nested containers does
// not resolve.
func (t *Tree) ResolvePid(pidNS uint32, nsPID int32) (int32, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if hp, ok := t.byNS[nsKey{pidNS, nsPID}]; ok {
		return hp, true
	}
	if pidNS != 0 && pidNS == t.selfNS {
		if _, ok := t.procs[nsPID]; ok {
			return nsPID, true
		}
	}
	return 0, false
}
