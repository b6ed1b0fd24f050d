package probes

import (
	"math/bits"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cilium/ebpf"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/abi"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/testutil"
)

// loaded reports which of ids are still loaded programs.
func loaded(ids []ebpf.ProgramID) []ebpf.ProgramID {
	var out []ebpf.ProgramID
	for _, id := range ids {
		p, err := ebpf.NewProgramFromID(id)
		if err != nil {
			continue // gone
		}
		p.Close()
		out = append(out, id)
	}
	return out
}

func TestFeatureProbe(t *testing.T) {
	testutil.RequirePrivileged(t)
	f := ProbeFeatures()
	// What every supported kernel must offer.
	for _, need := range []string{FacilityRingbuf, FacilityBpfLoop, FacilityBTF, FacilityRawTp} {
		if !f.Available(need) {
			t.Errorf("%s unavailable: %s", need, f.Reason[need])
		}
	}
	for name, ok := range f.Have {
		if !ok && f.Reason[name] == "" {
			t.Errorf("%s unavailable without a reason", name)
		}
	}
	if s := f.Summary(); !strings.Contains(s, "available:") || !strings.Contains(s, "unavailable:") {
		t.Errorf("summary %q", s)
	}
	t.Log(f.Summary())
}

// followUID0: policy 0 has follow and uid= (FlagPolicies by F_ bit number).
var followUID0 = func() (fp [32]uint64) {
	fp[bits.TrailingZeros32(abi.FFollow)] = 1
	fp[bits.TrailingZeros32(abi.FUidEq)] = 1
	return fp
}()

func TestLoadAttachDetachLeavesNothing(t *testing.T) {
	testutil.RequirePrivileged(t)
	f := ProbeFeatures()
	sel, kinds, emit := everything()
	p, err := Load(Options{Selected: sel, ArgKinds: kinds, Emit: emit,
		Scope: Scope{Flags: abi.FFollow | abi.FUidEq, FlagPolicies: followUID0,
			UID: map[uint32]abi.TraceeScopeBits{0: {Eq: 1}}},
		Capture: &CaptureOptions{Flags: CaptureWrite | CaptureModule | CaptureBPF | CaptureMemfd | CaptureMem, Prefixes: []string{"/tmp/", "/etc/"}},
		Network: &NetworkOptions{Snaplen: 128}}, f)
	if err != nil {
		t.Fatal(err)
	}
	// + the capture program on sys_exit and the network capture's three cgroup programs
	if got := len(p.Methods); got != len(abi.Hooks)+2 {
		t.Errorf("attached %d hooks (%s), want %d", got, p.Describe(), len(abi.Hooks)+2)
	}
	ids := p.ProgramIDs()
	if len(loaded(ids)) != len(abi.Hooks)+1+len(networkProgs) {
		t.Errorf("%d of our programs loaded (%v), want %d", len(loaded(ids)), ids, len(abi.Hooks)+1+len(networkProgs))
	}
	if _, err := p.Stats(); err != nil {
		t.Errorf("stats: %v", err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	// The kernel frees programs after an RCU grace period: poll briefly.
	deadline := time.Now().Add(5 * time.Second)
	for left := loaded(ids); len(left) > 0; left = loaded(ids) {
		if time.Now().After(deadline) {
			t.Fatalf("programs %v still loaded 5s after Close", left)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestOnlyNeededHooksAttach(t *testing.T) {
	testutil.RequirePrivileged(t)
	p, err := Load(Options{Selected: map[uint32]uint32{101: abi.SelEmitExit}}, ProbeFeatures())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if d := p.Describe(); d != "sys_exit=tp_btf" && d != "sys_exit=raw_tracepoint" {
		t.Errorf("attached %q, want only sys_exit", d)
	}
}

func TestCheckPrivilegesAsRoot(t *testing.T) {
	testutil.RequirePrivileged(t)
	if err := CheckPrivileges(); err != nil {
		t.Fatal(err)
	}
}

// Every hook has a rule for when it is needed, and every counter is read.
func TestHooksAndCountersCovered(t *testing.T) {
	for _, h := range abi.Hooks {
		if needed[h.Name] == nil {
			t.Errorf("hook %s has no rule in needed", h.Name)
		}
	}
	if len(needed) != len(abi.Hooks) {
		t.Errorf("%d rules for %d hooks", len(needed), len(abi.Hooks))
	}
	var st Stats
	if n := reflect.TypeOf(st).NumField() - 1; n != abi.StatMax { // RecursionMisses is not a map counter
		t.Errorf("Stats has %d map counters, the stats map %d", n, abi.StatMax)
	}
}

// everything selects every syscall with every kind, every derived event and
// every emitted one: all programs must verify.
func everything() (map[uint32]uint32, map[uint32][6]uint8, uint32) {
	sel := map[uint32]uint32{}
	kinds := map[uint32][6]uint8{}
	for nr := uint32(0); nr < 470; nr++ {
		sel[nr] = abi.SelAtSysExit | abi.SelFromExec | abi.SelFromExit
		kinds[nr] = [6]uint8{5, 6, 7, 1, 3, 9}
	}
	var emit uint32
	for _, e := range abi.Emitted {
		emit |= e.Emit
	}
	return sel, kinds, emit
}
