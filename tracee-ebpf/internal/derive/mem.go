package derive

import (
	"container/list"
	"sort"

	"github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/render"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

const (
	protWrite = 0x2
	protExec  = 0x4
	protWX    = protWrite | protExec

	pageSize = 4096

	defaultMaxProcs   = 8192
	defaultMaxRegions = 256
)

// region is a tracked mapping [start, end) with its protection.
type region struct {
	start, end uint64
	prot       int64
	used       uint64 // last use tick, for per-process LRU eviction
}

// procMem is the tracked writable or executable regions of one process,
// sorted by start and never overlapping.
type procMem struct {
	pid     int32
	regions []region
}

// memState remembers, per process, the mappings that are writable and/or
// executable, from mmap return values and successful mprotects. It is
// bounded: at most maxProcs processes (least recently active forgotten) and
// maxRegions regions per process (least recently used forgotten).
type memState struct {
	maxProcs, maxRegions int
	procs                map[int32]*list.Element // of *procMem
	lru                  *list.List              // front: most recently active
	tick                 uint64
}

func newMemState(maxProcs, maxRegions int) *memState {
	return &memState{
		maxProcs:   max(maxProcs, 1),
		maxRegions: max(maxRegions, 1),
		procs:      map[int32]*list.Element{},
		lru:        list.New(),
	}
}

func (m *memState) procCount() int { return len(m.procs) }

func (m *memState) regionCount() int {
	n := 0
	for e := m.lru.Front(); e != nil; e = e.Next() {
		n += len(e.Value.(*procMem).regions)
	}
	return n
}

// get returns the state of pid, creating it when create is set.
func (m *memState) get(pid int32, create bool) *procMem {
	if e, ok := m.procs[pid]; ok {
		m.lru.MoveToFront(e)
		return e.Value.(*procMem)
	}
	if !create {
		return nil
	}
	for len(m.procs) >= m.maxProcs {
		oldest := m.lru.Back()
		m.lru.Remove(oldest)
		delete(m.procs, oldest.Value.(*procMem).pid)
	}
	pm := &procMem{pid: pid}
	m.procs[pid] = m.lru.PushFront(pm)
	return pm
}

func (m *memState) forget(pid int32) {
	if e, ok := m.procs[pid]; ok {
		m.lru.Remove(e)
		delete(m.procs, pid)
	}
}

// lookup returns the protection of the tracked region containing addr, or
// else of the first tracked region overlapping [start, end).
func (m *memState) lookup(pid int32, start, end uint64) (int64, bool) {
	pm := m.get(pid, false)
	if pm == nil {
		return 0, false
	}
	m.tick++
	for i := range pm.regions {
		r := &pm.regions[i]
		if r.start < end && start < r.end {
			r.used = m.tick
			return r.prot, true
		}
	}
	return 0, false
}

// set records that [start, end) now has prot: overlapping regions are cut,
// and the range is tracked if prot is writable or executable.
func (m *memState) set(pid int32, start, end uint64, prot int64) {
	if end <= start {
		return
	}
	track := prot&protWX != 0
	pm := m.get(pid, track)
	if pm == nil {
		return
	}
	m.tick++
	out := pm.regions[:0:0]
	for _, r := range pm.regions {
		if r.end <= start || end <= r.start {
			out = append(out, r)
			continue
		}
		if r.start < start {
			out = append(out, region{start: r.start, end: start, prot: r.prot, used: r.used})
		}
		if end < r.end {
			out = append(out, region{start: end, end: r.end, prot: r.prot, used: r.used})
		}
	}
	if track {
		out = append(out, region{start: start, end: end, prot: prot, used: m.tick})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].start < out[j].start })
	for len(out) > m.maxRegions {
		lru := 0
		for i := range out {
			if out[i].used < out[lru].used {
				lru = i
			}
		}
		out = append(out[:lru], out[lru+1:]...)
	}
	pm.regions = out
	if len(out) == 0 {
		m.forget(pid)
	}
}

// copyTo gives child a copy of parent's regions (fork without CLONE_VM).
func (m *memState) copyTo(parent, child int32) {
	pm := m.get(parent, false)
	if pm == nil || len(pm.regions) == 0 {
		return
	}
	c := m.get(child, true)
	c.regions = append([]region(nil), pm.regions...)
}

func procKey(ev *traceepb.Event) int32 {
	if ev.HostProcessId != 0 {
		return ev.HostProcessId
	}
	return ev.ProcessId
}

// pageEnd rounds start+length up to a page, saturating on overflow.
func pageEnd(start, length uint64) uint64 {
	end := start + length
	if end < start {
		return ^uint64(0)
	}
	if rem := end % pageSize; rem != 0 {
		if end+pageSize-rem < end {
			return ^uint64(0)
		}
		end += pageSize - rem
	}
	return end
}

// syscallFailed reports whether a return value is -errno.
func syscallFailed(ret int64) bool {
	return ret < 0 && ret >= -4095
}

// memAlert builds a mem_prot_alert event.
func memAlert(def *events.Definition, src *traceepb.Event, alert uint64, addr, length uint64, prot, prev int64) *traceepb.Event {
	vals := map[string]func(a *traceepb.Argument){
		"alert":     func(a *traceepb.Argument) { a.Value = &traceepb.Argument_Uint{Uint: alert} },
		"addr":      func(a *traceepb.Argument) { a.Value = &traceepb.Argument_Uint{Uint: addr} },
		"len":       func(a *traceepb.Argument) { a.Value = &traceepb.Argument_Uint{Uint: length} },
		"prot":      func(a *traceepb.Argument) { a.Value = &traceepb.Argument_Int{Int: prot} },
		"prev_prot": func(a *traceepb.Argument) { a.Value = &traceepb.Argument_Int{Int: prev} },
		"pathname":  func(a *traceepb.Argument) { a.Value = &traceepb.Argument_Str{} },
	}
	args := make([]*traceepb.Argument, 0, len(def.Params))
	for _, p := range def.Params {
		a := param(def, p.Name)
		if set, ok := vals[p.Name]; ok {
			set(a)
		} else if set, ok := zeroValues[p.Kind]; ok {
			set(a)
		}
		args = append(args, a)
	}
	ev := newEvent(def, src, args)
	render.Apply(def, ev)
	return ev
}

// deriveMmapAlert: mmap asking for W+E alerts ("Mmaped region with W+E
// permissions!"), whether or not it succeeds; a successful mmap records the
// returned range's protection.
func deriveMmapAlert(d *Deriver, def *events.Definition, src *traceepb.Event) []*traceepb.Event {
	prot, ok := traceepb.Arg[int64](src, "prot")
	length, ok2 := traceepb.Arg[int64](src, "length")
	if !ok || !ok2 {
		d.skipped++
		return nil
	}
	addr := uint64(src.ReturnValue)
	if syscallFailed(src.ReturnValue) {
		a, _ := traceepb.Arg[int64](src, "addr")
		addr = uint64(a)
	} else {
		d.mem.set(procKey(src), addr, pageEnd(addr, uint64(length)), prot)
	}
	if prot&protWX != protWX {
		return nil
	}
	return []*traceepb.Event{memAlert(def, src, render.AlertMmapWX, addr, uint64(length), prot, 0)}
}

// mprotectAlert classifies a protection change as Tracee does; 0 is none.
func mprotectAlert(prev, req int64) uint64 {
	switch {
	case prev&protExec == 0 && req&protExec != 0:
		return render.AlertMprotectX
	case prev&protWX == protExec && req&protWX == protWX:
		return render.AlertXToWX
	case prev&protWX == protWX && req&protWX == protExec:
		return render.AlertWXToX
	}
	return 0
}

// deriveMprotectAlert: mprotect/pkey_mprotect of a range whose previous
// protection (from the tracked state; untracked counts as neither W nor E)
// changes to E, E to W+E or W+E to E alerts, whether or not the call
// succeeds; a successful call updates the state.
func deriveMprotectAlert(d *Deriver, def *events.Definition, src *traceepb.Event) []*traceepb.Event {
	addrV, ok1 := traceepb.Arg[int64](src, "addr")
	lenV, ok2 := traceepb.Arg[int64](src, "len")
	prot, ok3 := traceepb.Arg[int64](src, "prot")
	if !ok1 || !ok2 || !ok3 {
		d.skipped++
		return nil
	}
	pid := procKey(src)
	start, end := uint64(addrV), pageEnd(uint64(addrV), uint64(lenV))
	prev, _ := d.mem.lookup(pid, start, end)
	if src.ReturnValue == 0 {
		d.mem.set(pid, start, end, prot)
	}
	alert := mprotectAlert(prev, prot)
	if alert == 0 {
		return nil
	}
	return []*traceepb.Event{memAlert(def, src, alert, start, uint64(lenV), prot, prev)}
}

// observeExit forgets a process when its last thread exits.
func observeExit(d *Deriver, src *traceepb.Event) {
	if a := src.GetArg("process_group_exit"); a != nil {
		if a.GetBool() {
			d.mem.forget(procKey(src))
		}
		return
	}
	if src.HostThreadId == src.HostProcessId {
		d.mem.forget(procKey(src))
	}
}

// observeExec forgets a process's mappings: exec replaces the address space.
func observeExec(d *Deriver, src *traceepb.Event) {
	d.mem.forget(procKey(src))
}

// observeFork gives a new process (not a thread) its parent's mappings.
func observeFork(d *Deriver, src *traceepb.Event) {
	parent, ok1 := traceepb.Arg[int64](src, "parent_pid")
	child, ok2 := traceepb.Arg[int64](src, "child_pid")
	if !ok1 || !ok2 || parent == child {
		return
	}
	d.mem.copyTo(int32(parent), int32(child))
}

// observeMunmap drops an unmapped range.
func observeMunmap(d *Deriver, src *traceepb.Event) {
	addr, ok1 := traceepb.Arg[int64](src, "addr")
	length, ok2 := traceepb.Arg[int64](src, "length")
	if !ok1 || !ok2 || src.ReturnValue != 0 {
		return
	}
	d.mem.set(procKey(src), uint64(addr), pageEnd(uint64(addr), uint64(length)), 0)
}
