package probes

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/abi"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/filter"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

func TestPathHead(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"/etc/kubernetes/pki/", "/etc/kubernetes/"},
		{"/etc/", "/etc/"},
		{"/etc/shadow", "/etc/shadow"},
		{"/proc/sys/kernel/randomize_va_space", "/proc/sys/"},
		{"/", "/"},
		{"memfd:", "memfd:"},
		{"memfd:a/b", "memfd:a/"},
		{"", ""},
	} {
		if got := pathHead(c.in); got != c.want {
			t.Errorf("pathHead(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// A pattern's gate entries: the head of prefix and exact patterns, the
// reversed tail (from the last "/") of suffix and exact ones, an empty key
// where the pattern needs nothing.
func TestGateEntries(t *testing.T) {
	for _, c := range []struct {
		s          filter.KernelString
		head, tail string
	}{
		{filter.KernelString{Text: "/etc/kubernetes/pki/", Prefix: true}, "/etc/kubernetes/", ""},
		{filter.KernelString{Text: "/secrets/kubernetes.io/serviceaccount/token", Suffix: true}, "", "nekot/"},
		{filter.KernelString{Text: ".conf", Suffix: true}, "", "fnoc."},
		{filter.KernelString{Text: "/proc/kcore"}, "/proc/kcore", "erock/"},
		{filter.KernelString{Text: "docker.sock"}, "docker.sock", "kcos.rekcod"},
	} {
		es := gateEntries(7, 0, c.s, 4)
		if len(es) != 2 || es[0].suffix || !es[1].suffix {
			t.Fatalf("%+v: entries %+v", c.s, es)
		}
		for _, e := range es {
			if e.src != 32 || e.bit != 4 || e.event != 7 {
				t.Errorf("%+v: entry %+v: want src 32|0, bit 4, event 7", c.s, e)
			}
		}
		if string(es[0].key) != c.head || string(es[1].key) != c.tail {
			t.Errorf("%+v: head %q tail %q, want %q %q", c.s, es[0].key, es[1].key, c.head, c.tail)
		}
	}
}

// Rules with the same conditions become one rule with all their policies.
func TestFitMergesEqualRules(t *testing.T) {
	wr := filter.KernelCond{Arg: 1, Masks: []uint64{3, 3}, Vals: []uint64{1, 2}}
	rd := filter.KernelCond{Arg: 1, Masks: []uint64{3}, Vals: []uint64{0}}
	e := &DFEvent{Rules: []DFRule{
		{Policies: 1, Conds: []filter.KernelCond{wr}},
		{Policies: 2, Conds: []filter.KernelCond{rd}},
		{Policies: 4, Conds: []filter.KernelCond{wr}},
		{Policies: 8, Conds: []filter.KernelCond{wr, rd}},
	}}
	e.Fit()
	if len(e.Rules) != 3 || e.Rules[0].Policies != 5 || e.Rules[1].Policies != 2 || e.Rules[2].Policies != 8 {
		t.Errorf("rules after Fit: %+v", e.Rules)
	}
}

// The file-type sieve: a rule's mode conditions name the types it can pass;
// a rule without one passes all; the event passes the union.
func TestModeSieve(t *testing.T) {
	// as filter.ArgFilter.Kernel compiles >= and <= on an unsigned argument
	regular := []filter.KernelCond{
		{Arg: 6, Range: true, Lo: 0o100000, Hi: -1},
		{Arg: 6, Range: true, Lo: 0, Hi: 0o107777},
	}
	signed := []filter.KernelCond{
		{Arg: 6, Signed: true, Range: true, Lo: 0o100000, Hi: math.MaxInt64},
		{Arg: 6, Signed: true, Range: true, Lo: math.MinInt64, Hi: 0o107777},
	}
	socket := filter.KernelCond{Arg: 6, Masks: []uint64{0o170000}, Vals: []uint64{0o140000}}
	path := filter.KernelCond{Arg: 0, Strs: []filter.KernelString{{Text: "/etc/", Prefix: true}}}
	ev, _ := events.ByName("security_file_open")
	id := uint32(ev.ID)
	for _, c := range []struct {
		name  string
		rules []DFRule
		want  uint32
	}{
		{"regular", []DFRule{{Policies: 1, Conds: append([]filter.KernelCond{path}, regular...)}}, 1 << 8},
		{"regular, signed bounds", []DFRule{{Policies: 1, Conds: signed}}, 1 << 8},
		{"regular or socket", []DFRule{{Policies: 1, Conds: regular}, {Policies: 2, Conds: []filter.KernelCond{socket}}}, 1<<8 | 1<<12},
		{"a rule without a type", []DFRule{{Policies: 1, Conds: regular}, {Policies: 2, Conds: []filter.KernelCond{path}}}, 0xffff},
	} {
		arg, got := modeSieve(id, &DFEvent{Rules: c.rules})
		if arg != 6 || got != c.want {
			t.Errorf("%s: arg %d types %#x, want 6 %#x", c.name, arg, got, c.want)
		}
	}
	if arg, _ := modeSieve(id, &DFEvent{Always: 1}); arg != 0xff {
		t.Errorf("an event some policy takes whole has a sieve (arg %d)", arg)
	}
}

// The kernel's rule slots are shared by all events, in event id order: an
// event whose rules do not fit goes whole (its policies in Always, said in
// what Fit gives up), the events before it keep theirs; an event id past
// the kernel's table is an error naming it.
func TestDataFiltersFitRuleSlots(t *testing.T) {
	rules := func(n int, pol uint64) []DFRule {
		out := make([]DFRule, n)
		for i := range out {
			out[i] = DFRule{Policies: pol, Conds: []filter.KernelCond{{Arg: 0, Masks: []uint64{^uint64(0)}, Vals: []uint64{uint64(i)}}}}
		}
		return out
	}
	per := dfMaxRules
	full := dfRuleSlots / per // events that fill every slot
	d := DataFilters{}
	for i := 0; i < full; i++ {
		d[uint32(i)] = &DFEvent{Rules: rules(per, 1)}
	}
	last := uint32(full)
	d[last] = &DFEvent{Always: 4, Rules: rules(1, 2)}
	gaveUp, err := d.Fit()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < full; i++ {
		if len(d[uint32(i)].Rules) != per || len(gaveUp[uint32(i)]) != 0 {
			t.Fatalf("event %d: %d rules, gave up %v; want %d kept", i, len(d[uint32(i)].Rules), gaveUp[uint32(i)], per)
		}
	}
	if e := d[last]; len(e.Rules) != 0 || e.Always != 6 || len(gaveUp[last]) != 1 || !strings.Contains(gaveUp[last][0], "rule slots") {
		t.Errorf("event past the slots: rules %d, always %#x, gave up %v; want whole (always 0x6) and said", len(e.Rules), e.Always, gaveUp[last])
	}

	bad := DataFilters{dfEventIDs: &DFEvent{Rules: rules(1, 1)}}
	if _, err := bad.Fit(); err == nil || !strings.Contains(err.Error(), fmt.Sprint(dfEventIDs)) {
		t.Errorf("event id %d: err %v, want one naming it", dfEventIDs, err)
	}
}

// Conditions shared by rules are one entry with those rules' bits, the
// integer ones before the string ones, whatever their order in the rules.
func TestDistinctConds(t *testing.T) {
	regular := abi.TraceeDfRule{}.Conds[0]
	regular.Op, regular.Src, regular.Lo, regular.Hi = uint8(abi.TraceeDfOpDF_RANGE), 3, 32768, 36863
	write := regular
	write.Op, write.Src, write.Lo, write.Hi, write.Nvals = uint8(abi.TraceeDfOpDF_IN), 1, 0, 0, 2
	write.Mask[0], write.Val[0], write.Mask[1], write.Val[1] = 3, 1, 3, 2
	path := func(bits uint64) (c abi.TraceeDfRule) {
		c.Conds[0].Op, c.Conds[0].Src, c.Conds[0].Strbits = uint8(abi.TraceeDfOpDF_STR_IN), 0, bits
		return c
	}
	rule := func(conds ...any) abi.TraceeDfRule {
		var r abi.TraceeDfRule
		for _, c := range conds {
			switch c := c.(type) {
			case abi.TraceeDfRule:
				r.Conds[r.Nconds] = c.Conds[0]
			default:
				r.Conds[r.Nconds] = regular
				if c == "write" {
					r.Conds[r.Nconds] = write
				}
			}
			r.Nconds++
		}
		return r
	}
	rules := []abi.TraceeDfRule{
		rule(path(1), "write", "regular"),
		rule(path(2), "regular"),
		rule("write", path(1)),
	}
	dconds, nint := distinctConds(rules)
	if nint != 2 || len(dconds) != 4 {
		t.Fatalf("%d conditions, %d integer ones; want 4 and 2: %+v", len(dconds), nint, dconds)
	}
	want := []struct {
		op    uint8
		rules uint32
	}{
		{uint8(abi.TraceeDfOpDF_IN), 0b101},     // write: rules 0 and 2
		{uint8(abi.TraceeDfOpDF_RANGE), 0b011},  // regular: rules 0 and 1
		{uint8(abi.TraceeDfOpDF_STR_IN), 0b101}, // path 1
		{uint8(abi.TraceeDfOpDF_STR_IN), 0b010}, // path 2
	}
	for i, w := range want {
		if dconds[i].C.Op != w.op || dconds[i].Rules != w.rules {
			t.Errorf("condition %d: op %d rules %03b, want op %d rules %03b", i, dconds[i].C.Op, dconds[i].Rules, w.op, w.rules)
		}
	}
}

// A watched directory's pattern bits are what the kernel's two trie
// lookups of its name answer: equality with the NUL, prefixes forward,
// suffixes reversed, only the patterns of the same event and argument.
func TestStrPatternHits(t *testing.T) {
	entry := func(src uint8, text string, prefix, suffix bool, bit uint64) strEntry {
		e := strEntry{event: 7, src: src, bit: bit, suffix: suffix}
		switch {
		case suffix:
			e.key = []byte(text)
			slices.Reverse(e.key)
		case prefix:
			e.key = []byte(text)
		default:
			e.key = append([]byte(text), 0)
		}
		return e
	}
	pats := strPatterns{
		entry(3, "/etc", false, false, 1),                    // =/etc
		entry(3, "/etc/cron", true, false, 2),                // =/etc/cron*
		entry(3, "/lib", false, true, 4),                     // =*/lib
		entry(3, "", true, false, 8),                         // =* (every string)
		entry(3, "/etc/c", false, false, 16),                 // =/etc/c: not a prefix match
		entry(4, "/etc", false, false, 32),                   // another argument
		{event: 8, src: 3, key: []byte("/etc\x00"), bit: 64}, // another event
	}
	for _, c := range []struct {
		s    string
		want uint64
	}{
		{"/etc", 1 | 8},
		{"/etc/cron.d", 2 | 8},
		{"/usr/lib", 4 | 8},
		{"/etc/c", 16 | 8},
		{"/etcx", 8},
	} {
		if got := pats.hits(7, 3, c.s); got != c.want {
			t.Errorf("hits(%q) = %b, want %b", c.s, got, c.want)
		}
	}
}

// The sieve holds, in each bucket, every pattern whose gate entry could
// match a key there (a superset of the trie's answer): a head entry by its
// bytes 1 and 2, a tail entry by its first (reversed) byte, a shorter one
// in every bucket; only gated events, only gate entries.
func TestSieve(t *testing.T) {
	gate := uint8(abi.TraceeDfAbiDF_SRC_GATE) | 3
	strs := []strEntry{
		{event: 7, src: gate, key: []byte("/etc/"), bit: 1},               // head of /etc/pam.d/*
		{event: 7, src: gate, suffix: true, key: []byte("mem/"), bit: 2},  // tail of */mem
		{event: 7, src: gate, key: []byte("/e"), bit: 4},                  // too short a head
		{event: 7, src: gate, suffix: true, key: []byte{}, bit: 8},        // needs no tail
		{event: 7, src: 3, key: []byte("/etc/\x00"), bit: 16},             // not a gate entry
		{event: 9, src: gate, key: []byte("/etc/"), bit: 32},              // an event without a slot
		{event: 8, src: gate, suffix: true, key: []byte("mem/"), bit: 64}, // slot 1
	}
	sv := sieve(strs, map[uint32]uint32{7: 0, 8: 1})
	const n = int(abi.TraceeDfAbiDF_SIEVE_BUCKETS)
	head := func(slot, b int) uint64 { return sv[(slot*2+int(abi.TraceeDfAbiDF_SIEVE_HEAD))*n+b] }
	tail := func(slot, b int) uint64 { return sv[(slot*2+int(abi.TraceeDfAbiDF_SIEVE_TAIL))*n+b] }
	if got := head(0, headBucket('e', 't')); got != 1|4 {
		t.Errorf("head bucket of /et: %b, want %b", got, 1|4)
	}
	if got := head(0, headBucket('u', 's')); got != 4 {
		t.Errorf("head bucket of /us: %b, want only the short entry", got)
	}
	if got := tail(0, 'm'); got != 2|8 {
		t.Errorf("tail bucket m: %b, want %b", got, 2|8)
	}
	if got := tail(0, '6'); got != 8 {
		t.Errorf("tail bucket 6: %b, want only the pattern that needs no tail", got)
	}
	if got := tail(1, 'm'); got != 64 {
		t.Errorf("slot 1 tail bucket m: %b, want 64", got)
	}
	for i, v := range sv {
		if v&(16|32) != 0 {
			t.Fatalf("entry %d has a pattern that is not a gated event's gate entry: %b", i, v)
		}
	}
}

// df_event.need is the first integer condition every rule has (1 + its
// index); none when a policy takes the event whole, or no condition is in
// every rule.
func TestNeedCond(t *testing.T) {
	cond := func(op uint8, rules uint32) abi.TraceeDfDcond {
		var d abi.TraceeDfDcond
		d.C.Op, d.Rules = op, rules
		return d
	}
	in, str := uint8(abi.TraceeDfOpDF_IN), uint8(abi.TraceeDfOpDF_STR_IN)
	for _, c := range []struct {
		name   string
		dconds []abi.TraceeDfDcond
		nint   uint32
		nrules int
		always uint64
		want   uint32
	}{
		{"one rule", []abi.TraceeDfDcond{cond(in, 0b1)}, 1, 1, 0, 1},
		{"second in all", []abi.TraceeDfDcond{cond(in, 0b01), cond(in, 0b11)}, 2, 2, 0, 2},
		{"none in all", []abi.TraceeDfDcond{cond(in, 0b01), cond(in, 0b10)}, 2, 2, 0, 0},
		{"string only", []abi.TraceeDfDcond{cond(str, 0b1)}, 0, 1, 0, 0},
		{"taken whole", []abi.TraceeDfDcond{cond(in, 0b1)}, 1, 1, 1, 0},
	} {
		if got := needCond(c.dconds, c.nint, c.nrules, c.always); got != c.want {
			t.Errorf("%s: need %d, want %d", c.name, got, c.want)
		}
	}
}

// The string tables answer what a pass over the conditions answers: for
// random conditions (up to 64 on the argument, 64 patterns, 32 rules) and
// pattern bitmaps, the rules refuted through the two tables (strDead, the
// kernel's df_str_dead step for step) are those whose DF_STR_IN
// condition has none of the patterns, or (exact) whose DF_STR_NOT_IN
// condition has one. Conditions on another argument, or integer ones,
// are not in the table.
func TestStrTables(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	in, notIn := uint8(abi.TraceeDfOpDF_STR_IN), uint8(abi.TraceeDfOpDF_STR_NOT_IN)
	for round := range 300 {
		npat := 1 + rng.IntN(64)
		var dconds []abi.TraceeDfDcond
		for range 1 + rng.IntN(64) {
			var d abi.TraceeDfDcond
			d.C.Src, d.C.Op = 0, in
			if rng.IntN(4) == 0 {
				d.C.Op = notIn
			}
			d.C.Strbits = rng.Uint64() & (1<<npat - 1)
			if npat == 64 {
				d.C.Strbits = rng.Uint64()
			}
			d.Rules = rng.Uint32() | 1
			dconds = append(dconds, d)
		}
		// not the argument's: another one's, and an integer condition
		other := abi.TraceeDfDcond{Rules: ^uint32(0)}
		other.C.Src, other.C.Op, other.C.Strbits = 1, in, 0
		integer := abi.TraceeDfDcond{Rules: ^uint32(0)}
		integer.C.Op = uint8(abi.TraceeDfOpDF_IN)
		all := append([]abi.TraceeDfDcond{integer}, append(dconds, other)...)
		tab, rows, ok := strTables(all, 0, npat)
		if !ok {
			t.Fatalf("round %d: no table for %d conditions", round, len(dconds))
		}
		for range 20 {
			hits := rng.Uint64() & rng.Uint64()
			for _, exact := range []bool{false, true} {
				want := uint32(0)
				for _, d := range dconds {
					match := hits&d.C.Strbits != 0
					if (d.C.Op == in && !match) || (exact && d.C.Op == notIn && match) {
						want |= d.Rules
					}
				}
				if got := strDead(tab, rows, hits, exact); got != want {
					t.Fatalf("round %d, hits %#x, exact %v: refuted rules %#x, want %#x", round, hits, exact, got, want)
				}
			}
		}
	}
	if _, _, ok := strTables(nil, 0, 3); ok {
		t.Error("a table for an argument with no string condition")
	}
	many := make([]abi.TraceeDfDcond, 65)
	for i := range many {
		many[i].C.Op = in
	}
	if _, _, ok := strTables(many, 0, 3); ok {
		t.Error("a table for 65 conditions (the kernel's bitmaps hold 64)")
	}
}
