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

// mremap flags.
const (
	mremapDontUnmap = 0x4 // MREMAP_DONTUNMAP: the old range stays mapped
)

// region is a tracked mapping [start, end) with its protection. Ranges
// that mremap made aliases of the same pages (old_size 0 on shared memory)
// share alias (non-zero); aoff is the offset of start in those pages, so
// the parts of two aliases that map the same pages can be told.
type region struct {
	start, end uint64
	prot       int64
	used       uint64 // last use tick, for per-process LRU eviction
	alias      uint64
	aoff       uint64
}

// at returns r's alias position of addr (r's alias and the offset of addr).
func (r region) at(addr uint64) (uint64, uint64) {
	if r.alias == 0 {
		return 0, 0
	}
	return r.alias, r.aoff + (addr - r.start)
}

// procMem is the tracked writable or executable regions of one process,
// sorted by start and never overlapping.
type procMem struct {
	pid     int32
	regions []region
	aliases uint64 // last alias group number given
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

// lookup returns the tracked region containing start, or else the first
// tracked region overlapping [start, end).
func (m *memState) lookup(pid int32, start, end uint64) (region, bool) {
	pm := m.get(pid, false)
	if pm == nil {
		return region{}, false
	}
	m.tick++
	for i := range pm.regions {
		r := &pm.regions[i]
		if r.start < end && start < r.end {
			r.used = m.tick
			return *r, true
		}
	}
	return region{}, false
}

// aliasProt is the protection, OR-ed, of the other mappings of the pages
// that [start, end) maps in alias group alias from offset aoff: memory
// writable through one alias and executable through another is W+X.
func (m *memState) aliasProt(pid int32, start, end, alias, aoff uint64) int64 {
	pm := m.get(pid, false)
	if pm == nil || alias == 0 {
		return 0
	}
	var prot int64
	for _, r := range pm.regions {
		if r.alias != alias || (r.start < end && start < r.end) {
			continue
		}
		if r.aoff < aoff+(end-start) && aoff < r.aoff+(r.end-r.start) {
			prot |= r.prot
		}
	}
	return prot
}

// set records that [start, end) now has prot: overlapping regions are cut,
// and the range is tracked if prot is writable or executable or the range
// aliases other pages (alias, from offset aoff; 0: none).
func (m *memState) set(pid int32, start, end uint64, prot int64, alias, aoff uint64) {
	if end <= start {
		return
	}
	track := prot&protWX != 0 || alias != 0
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
			out = append(out, region{start: r.start, end: start, prot: r.prot, used: r.used, alias: r.alias, aoff: r.aoff})
		}
		if end < r.end {
			_, off := r.at(end)
			out = append(out, region{start: end, end: r.end, prot: r.prot, used: r.used, alias: r.alias, aoff: off})
		}
	}
	if track {
		out = append(out, region{start: start, end: end, prot: prot, used: m.tick, alias: alias, aoff: aoff})
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

// remap follows a successful mremap of [oldStart, oldStart+oldSize) to
// [newStart, newEnd): the new range has the old one's protection (and
// alias). oldSize 0 (shared memory) makes the new range a second mapping
// of the same pages, an alias; MREMAP_DONTUNMAP leaves the old range
// mapped (emptied, with its protection); else the old range is gone.
func (m *memState) remap(pid int32, oldStart, oldSize, newStart, newEnd uint64, keepOld bool) {
	r, ok := m.lookup(pid, oldStart, pageEnd(oldStart, max(oldSize, 1)))
	if !ok || r.start > oldStart {
		if !keepOld && oldSize > 0 {
			m.set(pid, oldStart, pageEnd(oldStart, oldSize), 0, 0, 0)
		}
		m.set(pid, newStart, newEnd, 0, 0, 0)
		return
	}
	alias, aoff := r.at(oldStart)
	if oldSize == 0 && alias == 0 {
		// the first alias of these pages: the old range joins a new group
		pm := m.get(pid, true)
		pm.aliases++
		alias, aoff = pm.aliases, 0
		m.set(pid, oldStart, min(r.end, pageEnd(oldStart, newEnd-newStart)), r.prot, alias, 0)
	}
	if !keepOld && oldSize > 0 {
		m.set(pid, oldStart, pageEnd(oldStart, oldSize), 0, 0, 0)
	}
	m.set(pid, newStart, newEnd, r.prot, alias, aoff)
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
		d.mem.set(procKey(src), addr, pageEnd(addr, uint64(length)), prot, 0, 0)
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
// succeeds; a successful call updates the state. For pages that mremap
// aliased, the protections (prot and prev_prot of the alert) are those of
// the pages: the range's OR-ed with the other mappings' of the same pages,
// so making one alias executable while another is writable alerts as W+E.
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
	r, _ := d.mem.lookup(pid, start, end)
	prev := r.prot
	alias, aoff := uint64(0), uint64(0)
	if r.alias != 0 && r.start <= start {
		alias, aoff = r.at(start)
	}
	others := d.mem.aliasProt(pid, start, end, alias, aoff)
	if src.ReturnValue == 0 {
		d.mem.set(pid, start, end, prot, alias, aoff)
	}
	alert := mprotectAlert(prev|others, prot|others)
	if alert == 0 {
		return nil
	}
	return []*traceepb.Event{memAlert(def, src, alert, start, uint64(lenV), prot|others, prev|others)}
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
	d.mem.set(procKey(src), uint64(addr), pageEnd(uint64(addr), uint64(length)), 0, 0, 0)
}

// observeMremap moves a remapped range's protection to its new address
// (or, old_size 0, makes the new range an alias of the old).
func observeMremap(d *Deriver, src *traceepb.Event) {
	oldAddr, ok1 := traceepb.Arg[int64](src, "old_address")
	oldSize, ok2 := traceepb.Arg[int64](src, "old_size")
	newSize, ok3 := traceepb.Arg[int64](src, "new_size")
	flags, _ := traceepb.Arg[int64](src, "flags")
	if !ok1 || !ok2 || !ok3 {
		d.skipped++
		return
	}
	if syscallFailed(src.ReturnValue) {
		return
	}
	newAddr := uint64(src.ReturnValue)
	keepOld := oldSize == 0 || flags&mremapDontUnmap != 0
	d.mem.remap(procKey(src), uint64(oldAddr), uint64(oldSize), newAddr, pageEnd(newAddr, uint64(newSize)), keepOld)
}
