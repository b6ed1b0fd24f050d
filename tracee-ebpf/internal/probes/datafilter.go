package probes

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/abi"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/filter"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

// DataFilters are the policies' data filters the kernel evaluates, by
// event id (syscall number or kernel event id); see bpf/lib/datafilter.h.
type DataFilters map[uint32]*DFEvent

// DFEvent is one event's filters: the policies that take it whole, and
// the rules of the others.
type DFEvent struct {
	Always uint64
	Rules  []DFRule
}

// DFRule is one policy rule: its kernel conditions, AND-ed, and the bitmap
// of the policies it belongs to.
type DFRule struct {
	Policies uint64
	Conds    []filter.KernelCond
}

// Kernel limits, from the object's BTF.
const (
	dfMaxRules  = int(abi.TraceeDfAbiDF_MAX_RULES)
	dfMaxConds  = int(abi.TraceeDfAbiDF_MAX_CONDS)
	dfMaxVals   = int(abi.TraceeDfAbiDF_MAX_VALS)
	dfStrMax    = int(abi.TraceeDfAbiDF_STR_MAX)
	dfEventIDs  = uint32(abi.TraceeDfAbiDF_EVENT_IDS)
	dfRuleSlots = int(abi.TraceeDfAbiDF_RULE_SLOTS)
)

func init() {
	if filter.KernelMaxVals != dfMaxVals || filter.KernelStrMax != dfStrMax {
		panic("filter's kernel limits differ from bpf/lib/datafilter.h")
	}
}

// Fit reduces an event's filters to what the kernel holds: at most
// DF_MAX_RULES rules (the policies of the others take the event whole) of
// at most DF_MAX_CONDS conditions (the rest are checked in user space
// only), and at most 64 distinct string patterns per argument. The result
// passes a superset of what the filters pass; what it gave up is returned,
// for the startup lines (a filter said to run in the kernel that does not
// would hide what the kernel really ships).
func (e *DFEvent) Fit() (gaveUp []string) {
	e.merge()
	if len(e.Rules) > dfMaxRules {
		for _, r := range e.Rules[dfMaxRules:] {
			e.Always |= r.Policies
		}
		gaveUp = append(gaveUp, fmt.Sprintf("%d rules past the kernel's %d take the event whole", len(e.Rules)-dfMaxRules, dfMaxRules))
		e.Rules = e.Rules[:dfMaxRules]
	}
	pats := map[int]map[filter.KernelString]bool{} // per argument: the distinct patterns, one bit each
	for i := range e.Rules {
		r := &e.Rules[i]
		if len(r.Conds) > dfMaxConds {
			gaveUp = append(gaveUp, fmt.Sprintf("a rule's conditions past the kernel's %d", dfMaxConds))
			r.Conds = r.Conds[:dfMaxConds]
		}
		kept := r.Conds[:0]
		for _, c := range r.Conds {
			if len(c.Strs) > 0 {
				have := pats[c.Arg]
				if have == nil {
					have = map[filter.KernelString]bool{}
					pats[c.Arg] = have
				}
				n := len(have)
				for _, s := range c.Strs {
					if !have[s] {
						n++
					}
				}
				if n > 64 {
					gaveUp = append(gaveUp, fmt.Sprintf("string patterns of argument %d past 64", c.Arg))
					continue // no bits left: the condition is checked in user space
				}
				for _, s := range c.Strs {
					have[s] = true
				}
			}
			kept = append(kept, c)
		}
		r.Conds = kept
	}
	// A rule whose policies always match is useless.
	e.Rules = slices.DeleteFunc(e.Rules, func(r DFRule) bool { return r.Policies&^e.Always == 0 })
	return gaveUp
}

// Fit fits every event's filters (DFEvent.Fit), then the rules of all
// events into the kernel's DF_RULE_SLOTS, shared in event id order: the
// rules of an event past them take it whole (user space runs them). It
// returns what was given up, by event. An event id past DF_EVENT_IDS is an
// error: the kernel has no entry for it, and every event the schema
// defines is below.
func (d DataFilters) Fit() (map[uint32][]string, error) {
	gaveUp := map[uint32][]string{}
	used := 0
	for _, id := range slices.Sorted(maps.Keys(d)) {
		if id >= dfEventIDs {
			return nil, fmt.Errorf("data filters of event %d: the kernel's table ends at %d", id, dfEventIDs)
		}
		e := d[id]
		if g := e.Fit(); len(g) > 0 {
			gaveUp[id] = append(gaveUp[id], g...)
		}
		if used+len(e.Rules) > dfRuleSlots {
			for _, r := range e.Rules {
				e.Always |= r.Policies
			}
			gaveUp[id] = append(gaveUp[id], fmt.Sprintf("the kernel's %d rule slots are taken by other events: the event goes whole", dfRuleSlots))
			e.Rules = nil
		}
		used += len(e.Rules)
	}
	return gaveUp, nil
}

// merge folds rules with the same conditions into one that carries all
// their policies (eight catalogue signatures ask for every open for
// writing): the kernel tests each rule of an event it may drop.
func (e *DFEvent) merge() {
	seen := map[string]int{}
	kept := e.Rules[:0]
	for _, r := range e.Rules {
		k := fmt.Sprintf("%+v", r.Conds)
		if i, ok := seen[k]; ok {
			kept[i].Policies |= r.Policies
			continue
		}
		seen[k] = len(kept)
		kept = append(kept, r)
	}
	e.Rules = kept
}

// strPatterns are the string patterns the tries hold.
type strPatterns []strEntry

// hits are the patterns of (event, src) that s matches: what the kernel's
// lookups of s in both tries answer, for a string known when the filters
// load (a watched directory's name, bpf/lib/maps.h).
func (sp strPatterns) hits(event uint32, src uint8, s string) uint64 {
	fwd := append([]byte(s), 0)
	rev := []byte(s)
	slices.Reverse(rev)
	var bits uint64
	for _, e := range sp {
		if e.event != event || e.src != src {
			continue
		}
		if (!e.suffix && bytes.HasPrefix(fwd, e.key)) || (e.suffix && bytes.HasPrefix(rev, e.key)) {
			bits |= e.bit
		}
	}
	return bits
}

type strEntry struct {
	event  uint32
	src    uint8
	suffix bool
	key    []byte // pattern bytes as the trie compares them
	bit    uint64
}

// modeArgs are the arguments holding an opened file's mode, by event.
var modeArgs = fileOpenArg("inode_mode")

// fileOpenArg maps security_file_open to the index of its argument name:
// what the kernel knows of an open before it builds it (security_file_open.h).
func fileOpenArg(name string) map[uint32]uint8 {
	d, ok := events.ByID(events.SecurityFileOpen)
	i, _, found := d.Param(name)
	if !ok || !found {
		panic("security_file_open has no " + name + " argument")
	}
	return map[uint32]uint8{uint32(events.SecurityFileOpen): uint8(i)}
}

// modeSieve is the event's file-type sieve (datafilter.h): the argument
// holding the mode, and the types (mode >> 12) some rule can pass, from the
// rules' conditions on it (a rule without one passes every type).
func modeSieve(id uint32, e *DFEvent) (arg uint32, types uint32) {
	ma, ok := modeArgs[id]
	if !ok || e.Always != 0 {
		return 0xff, 0 // no sieve
	}
	for _, r := range e.Rules {
		rt := uint32(0xffff)
		for _, c := range r.Conds {
			if c.Arg == int(ma) && len(c.Strs) == 0 {
				rt &= condTypes(c)
			}
		}
		types |= rt
	}
	return uint32(ma), types
}

// condTypes are the file types a condition on a mode can pass (a
// superset: permission bits are not looked at).
func condTypes(c filter.KernelCond) uint32 {
	const ifmt = 0o170000
	var out uint32
	for t := uint64(0); t < 16; t++ {
		lo, hi := t<<12, t<<12|0o7777
		ok := true
		switch {
		case c.Range && c.Signed:
			ok = int64(hi) >= c.Lo && int64(lo) <= c.Hi
		case c.Range: // unsigned bounds (Hi -1: no upper bound)
			ok = hi >= uint64(c.Lo) && lo <= uint64(c.Hi)
		case c.Negate:
			// none of the values: a type fails only if every mode of it is one of them
		default:
			ok = false
			for k := range c.Masks {
				if m := c.Masks[k] & ifmt; lo&m == c.Vals[k]&m {
					ok = true
				}
			}
		}
		if ok {
			out |= 1 << t
		}
	}
	return out
}

// gateArgs are the arguments holding a file's path that the kernel gates
// before it builds the path (bpf/lib/pathgate.h), by event.
var gateArgs = fileOpenArg("pathname")

// kstrArgs are the string arguments the kernel knows before it builds the
// record (security_file_open's watched_dir, bpf/derived/security_file_open.h).
var kstrArgs = fileOpenArg("watched_dir")

// gateEntries are a pattern's path-gate entries (datafilter.h): what its
// match needs of the path's head (the text up to its third "/", for a
// pattern that fixes the start) and of its tail (from the last "/", for
// one that fixes the end), as the head trie and the reversed tail trie
// compare them. An empty key is a pattern that needs nothing of that part.
func gateEntries(event uint32, src uint8, s filter.KernelString, bit uint64) []strEntry {
	head := []byte{}
	if !s.Suffix {
		head = []byte(pathHead(s.Text))
	}
	tail := []byte{}
	if !s.Prefix {
		t := s.Text
		if i := strings.LastIndexByte(t, '/'); i >= 0 {
			t = t[i:]
		}
		tail = []byte(t)
		slices.Reverse(tail)
	}
	g := src | uint8(abi.TraceeDfAbiDF_SRC_GATE)
	return []strEntry{
		{event: event, src: g, key: head, bit: bit},
		{event: event, src: g, suffix: true, key: tail, bit: bit},
	}
}

// pathHead is p up to and including its third "/" (an absolute path's
// first two components), or its first for a relative one; p if shorter.
func pathHead(p string) string {
	want := 1
	if strings.HasPrefix(p, "/") {
		want = 3
	}
	for i := 0; i < len(p); i++ {
		if p[i] == '/' {
			want--
			if want == 0 {
				return p[:i+1]
			}
		}
	}
	return p
}

func putDataFilters(m *abi.TraceeMaps, dfs DataFilters) (strPatterns, error) {
	if _, err := dfs.Fit(); err != nil {
		return nil, err
	}
	var strs []strEntry
	first, firstDC, strTabs := uint32(0), uint32(0), 0
	gateSlot := map[uint32]uint32{}
	for _, id := range slices.Sorted(maps.Keys(dfs)) {
		e := dfs[id]
		var v abi.TraceeDfEvent
		v.Present = 1
		v.Always = e.Always
		v.Nrules = uint32(len(e.Rules))
		v.First = first
		first += v.Nrules
		rules := make([]abi.TraceeDfRule, 0, len(e.Rules))
		gate, gated := gateArgs[id]
		v.ModeArg, v.Modes = modeSieve(id, e)
		bits := map[uint8]map[filter.KernelString]uint64{} // per argument: a bit per distinct pattern
		for ri, r := range e.Rules {
			var rule abi.TraceeDfRule
			vr := &rule
			vr.Policies = r.Policies
			vr.Nconds = uint32(len(r.Conds))
			for ci, c := range r.Conds {
				vc := &vr.Conds[ci]
				vc.Src = uint8(c.Arg)
				if c.Arg == filter.RetvalArg {
					vc.Src = uint8(abi.TraceeDfAbiDF_SRC_RETVAL)
				}
				if c.Signed {
					vc.Flags |= uint8(abi.TraceeDfAbiDF_SIGNED)
				}
				if c.Width32 {
					vc.Flags |= uint8(abi.TraceeDfAbiDF_WIDTH32)
				}
				switch {
				case len(c.Strs) > 0:
					vc.Op = uint8(abi.TraceeDfOpDF_STR_IN)
					if c.Negate {
						vc.Op = uint8(abi.TraceeDfOpDF_STR_NOT_IN)
					}
					for _, s := range c.Strs {
						src := bits[vc.Src]
						if src == nil {
							src = map[filter.KernelString]uint64{}
							bits[vc.Src] = src
						}
						b, seen := src[s]
						vc.Strbits |= b
						if seen {
							continue // one bit, one set of trie entries per pattern
						}
						b = uint64(1) << len(src)
						src[s] = b
						vc.Strbits |= b
						e := strEntry{event: id, src: vc.Src, bit: b}
						switch {
						case s.Suffix:
							e.suffix = true
							e.key = []byte(s.Text)
							slices.Reverse(e.key)
						case s.Prefix:
							e.key = []byte(s.Text)
						default:
							e.key = append([]byte(s.Text), 0)
						}
						strs = append(strs, e)
						if k, ok := kstrArgs[id]; ok && vc.Src == k && s.Text == "" {
							v.EmptyHits |= b // "", "*": the kernel's answer for no string
						}
						if gated && vc.Src == gate {
							v.Gates |= 1 << gate
							if s.Prefix {
								v.TailAny |= b
							}
							strs = append(strs, gateEntries(id, gate, s, b)...)
						}
					}
				case c.Range:
					vc.Op, vc.Lo, vc.Hi = uint8(abi.TraceeDfOpDF_RANGE), c.Lo, c.Hi
				default:
					vc.Op = uint8(abi.TraceeDfOpDF_IN)
					if c.Negate {
						vc.Op = uint8(abi.TraceeDfOpDF_NOT_IN)
					}
					vc.Nvals = uint8(len(c.Masks))
					for k := range c.Masks {
						vc.Mask[k], vc.Val[k] = c.Masks[k], c.Vals[k]
					}
				}
			}
			rules = append(rules, rule)
			if err := m.DfRules.Put(v.First+uint32(ri), &rule); err != nil {
				return nil, fmt.Errorf("data filter rule %d of event %d: %w", ri, id, err)
			}
		}
		var dconds []abi.TraceeDfDcond
		dconds, v.Nint = distinctConds(rules)
		v.Need = needCond(dconds, v.Nint, len(rules), v.Always)
		// Fit keeps at most DF_RULE_SLOTS rules of DF_MAX_CONDS conditions:
		// the slots cannot run out
		if int(firstDC)+len(dconds) > int(abi.TraceeDfAbiDF_DCOND_SLOTS) || len(dconds) > int(abi.TraceeDfAbiDF_MAX_DCONDS) {
			return nil, fmt.Errorf("data filters of event %d: %d distinct conditions past the kernel's table", id, len(dconds))
		}
		if v.Gates != 0 {
			if len(gateSlot) >= int(abi.TraceeDfAbiDF_GATE_SLOTS) {
				return nil, fmt.Errorf("data filters of event %d: path gates past the kernel's %d events", id, abi.TraceeDfAbiDF_GATE_SLOTS)
			}
			v.GateSlot = uint32(len(gateSlot))
			gateSlot[id] = v.GateSlot
		}
		for _, a := range []struct {
			src  uint8
			ok   bool
			slot *uint32
		}{{gate, gated, &v.GateTab}, {kstrArgs[id], hasKstr(id), &v.KstrTab}} {
			if !a.ok {
				continue
			}
			tab, rows, ok := strTables(dconds, a.src, len(bits[a.src]))
			if !ok {
				continue
			}
			if strTabs >= int(abi.TraceeDfAbiDF_STR_TABS) {
				return nil, fmt.Errorf("data filters of event %d: string tables past the kernel's %d", id, abi.TraceeDfAbiDF_STR_TABS)
			}
			if err := m.DfStrtabs.Put(uint32(strTabs), &tab); err != nil {
				return nil, fmt.Errorf("string table of event %d: %w", id, err)
			}
			for k, b := range rows {
				if b != 0 {
					if err := m.DfStrbits.Put(uint32(strTabs*len(rows)+k), b); err != nil {
						return nil, fmt.Errorf("string table of event %d: %w", id, err)
					}
				}
			}
			strTabs++
			*a.slot = uint32(strTabs)
			if a.src == gate && gated {
				v.TailAnyDead = strDead(tab, rows, v.TailAny, false)
			}
		}
		v.FirstDc, v.Ndc = firstDC, uint32(len(dconds))
		for i := range dconds {
			if err := m.DfDconds.Put(firstDC+uint32(i), &dconds[i]); err != nil {
				return nil, fmt.Errorf("data filter condition %d of event %d: %w", i, id, err)
			}
		}
		firstDC += v.Ndc
		if err := m.DataFilters.Put(id, &v); err != nil {
			return nil, fmt.Errorf("data filters of event %d: %w", id, err)
		}
	}
	// A trie lookup returns the longest matching entry only: each entry
	// carries the bits of every pattern of its (event, argument) that is a
	// prefix of it (itself included).
	for _, e := range strs {
		bits := uint64(0)
		for _, o := range strs {
			if o.event == e.event && o.src == e.src && o.suffix == e.suffix && bytes.HasPrefix(e.key, o.key) {
				bits |= o.bit
			}
		}
		var k abi.TraceeDfStrKey
		k.Event, k.Src = e.event, e.src
		k.Prefixlen = uint32(abi.TraceeDfAbiDF_STR_KEY_HEAD) + uint32(len(e.key))*8
		for i, c := range e.key {
			k.S[i] = int8(c)
		}
		trie := m.DfPrefix
		if e.suffix {
			trie = m.DfSuffix
		}
		if err := trie.Put(&k, bits); err != nil {
			return nil, fmt.Errorf("string filter of event %d: %w", e.event, err)
		}
	}
	for i, bits := range sieve(strs, gateSlot) {
		if bits != 0 {
			if err := m.DfSieve.Put(uint32(i), bits); err != nil {
				return nil, fmt.Errorf("path gate sieve: %w", err)
			}
		}
	}
	return strs, nil
}

// headBucket is the sieve bucket of a head key by its bytes 1 and 2, as
// the kernel's df_head_bucket (bpf/lib/datafilter.h).
func headBucket(b1, b2 byte) int {
	return (int(b1)*31 + int(b2)) & (int(abi.TraceeDfAbiDF_SIEVE_BUCKETS) - 1)
}

// sieve is the df_sieve table: for each gated event's slot and part, by
// bucket, the patterns whose gate entry can match a key in it. A head
// entry fixes its bucket when it has bytes 1 and 2, a tail entry (reversed)
// when it has a first byte; a shorter one is in every bucket.
func sieve(strs []strEntry, gateSlot map[uint32]uint32) []uint64 {
	const buckets = int(abi.TraceeDfAbiDF_SIEVE_BUCKETS)
	out := make([]uint64, int(abi.TraceeDfAbiDF_GATE_SLOTS)*2*buckets)
	for _, e := range strs {
		slot, ok := gateSlot[e.event]
		if !ok || e.src&uint8(abi.TraceeDfAbiDF_SRC_GATE) == 0 {
			continue
		}
		part, b := int(abi.TraceeDfAbiDF_SIEVE_HEAD), -1
		switch {
		case e.suffix:
			part = int(abi.TraceeDfAbiDF_SIEVE_TAIL)
			if len(e.key) > 0 {
				b = int(e.key[0])
			}
		case len(e.key) > 2:
			b = headBucket(e.key[1], e.key[2])
		}
		base := (int(slot)*2 + part) * buckets
		for i := 0; i < buckets; i++ {
			if b < 0 || i == b {
				out[base+i] |= e.bit
			}
		}
	}
	return out
}

// distinctConds are the distinct conditions of an event's rules, each with
// the bitmap of the rules that have it (bit i: rules[i]), the integer ones
// first (nint of them): the kernel's early check tests each once
// (tracee_may_pass), and a gated producer asks again about the strings only.
func distinctConds(rules []abi.TraceeDfRule) (dconds []abi.TraceeDfDcond, nint uint32) {
	index := map[any]int{}
	for ri, r := range rules {
		for ci := range int(r.Nconds) {
			c := r.Conds[ci]
			i, ok := index[c]
			if !ok {
				i = len(dconds)
				index[c] = i
				dconds = append(dconds, abi.TraceeDfDcond{C: c})
			}
			dconds[i].Rules |= 1 << ri
		}
	}
	slices.SortStableFunc(dconds, func(a, b abi.TraceeDfDcond) int { return isStrOp(a.C.Op) - isStrOp(b.C.Op) })
	for _, d := range dconds {
		nint += uint32(1 - isStrOp(d.C.Op))
	}
	return dconds, nint
}

// hasKstr reports whether event id has a string argument the kernel knows
// ahead (kstrArgs).
func hasKstr(id uint32) bool {
	_, ok := kstrArgs[id]
	return ok
}

// The df_strbits layout of one table (datafilter.h): two parts of one row
// per byte of a 64-bit bitmap, one entry per value of that byte.
const strRows, strVals = 8, 256

// strTables is the string-condition table of argument src (datafilter.h,
// df_strtab) and its df_strbits rows: part 0, for byte j of a pattern
// bitmap (npat patterns), the conditions with a pattern in it; part 1, for
// byte j of a condition bitmap, the rules of those conditions. Condition i
// is the i-th string condition on src in dconds. ok is false when src has
// none, or more than the tables hold (the kernel then refutes nothing by
// them: the event is built and the full filters decide).
func strTables(dconds []abi.TraceeDfDcond, src uint8, npat int) (tab abi.TraceeDfStrtab, bits []uint64, ok bool) {
	var conds []abi.TraceeDfDcond
	for _, d := range dconds {
		if d.C.Src == src && isStrOp(d.C.Op) == 1 {
			conds = append(conds, d)
		}
	}
	if len(conds) == 0 || len(conds) > int(abi.TraceeDfAbiDF_STR_TAB_CONDS) || npat > 64 {
		return tab, nil, false
	}
	tab.Src = uint32(src)
	tab.PatBytes = uint32((npat + 7) / 8)
	tab.CondBytes = uint32((len(conds) + 7) / 8)
	bits = make([]uint64, 2*strRows*strVals)
	for i, d := range conds {
		bit := uint64(1) << i
		tab.Conds |= bit
		if d.C.Op == uint8(abi.TraceeDfOpDF_STR_IN) {
			tab.In |= bit
		}
		for j := range strRows {
			for v := 1; v < strVals; v++ {
				if (d.C.Strbits>>(8*j))&uint64(v) != 0 {
					bits[j*strVals+v] |= bit
				}
				if (bit>>(8*j))&uint64(v) != 0 {
					bits[(strRows+j)*strVals+v] |= uint64(d.Rules)
				}
			}
		}
	}
	return tab, bits, true
}

// strDead is the kernel's df_str_dead on a table: the rules whose string
// conditions refute hits, the patterns the argument matches (exact) or
// can still match (a path gate: only DF_STR_IN conditions decide).
func strDead(tab abi.TraceeDfStrtab, rows []uint64, hits uint64, exact bool) uint32 {
	or := func(part int, bitmap uint64, n uint32) uint64 {
		out := uint64(0)
		for j := range int(n) {
			if v := (bitmap >> (8 * j)) & 0xff; v != 0 {
				out |= rows[(part*strRows+j)*strVals+int(v)]
			}
		}
		return out
	}
	sat := or(0, hits, tab.PatBytes)
	bad := tab.In &^ sat
	if exact {
		bad |= tab.Conds &^ tab.In & sat
	}
	return uint32(or(1, bad, tab.CondBytes))
}

// needCond is df_event.need: 1 + the index of the first integer condition
// (the nint first dconds) that every one of nrules rules has, 0 for none
// or when some policy takes the event whole. Failing it refuses the event,
// so sys_exit tests it inline before the full check (df_need_holds).
func needCond(dconds []abi.TraceeDfDcond, nint uint32, nrules int, always uint64) uint32 {
	if always != 0 || nrules == 0 || nrules > 32 {
		return 0
	}
	all := uint32(1)<<nrules - 1
	if nrules == 32 {
		all = ^uint32(0)
	}
	for i := range int(nint) {
		if dconds[i].Rules == all {
			return uint32(i) + 1
		}
	}
	return 0
}

// isStrOp is 1 for a string condition's op, 0 for an integer one's.
func isStrOp(op uint8) int {
	if op == uint8(abi.TraceeDfOpDF_STR_IN) || op == uint8(abi.TraceeDfOpDF_STR_NOT_IN) {
		return 1
	}
	return 0
}
