package probes

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cilium/ebpf"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/testutil"
)

// countTraceeProgs counts loaded programs whose name starts with tracee_.
func countTraceeProgs(t *testing.T) int {
	t.Helper()
	n := 0
	var id ebpf.ProgramID
	for {
		next, err := ebpf.ProgramGetNextID(id)
		if errors.Is(err, os.ErrNotExist) {
			return n
		}
		if err != nil {
			t.Fatal(err)
		}
		id = next
		p, err := ebpf.NewProgramFromID(id)
		if err != nil {
			continue // gone meanwhile
		}
		if info, err := p.Info(); err == nil && strings.HasPrefix(info.Name, "tracee_") {
			n++
		}
		p.Close()
	}
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

func TestLoadAttachDetachLeavesNothing(t *testing.T) {
	testutil.RequirePrivileged(t)
	before := countTraceeProgs(t)
	f := ProbeFeatures()
	sel := map[uint32]uint32{}
	kinds := map[uint32][6]uint8{}
	// every syscall, every kind and every derived event: all programs verify
	for nr := uint32(0); nr < 470; nr++ {
		sel[nr] = SelEmitExit | SelFileOpen | SelSocketDup | SelMagicWrite | SelFromExec | SelFromExit | SelInodeLink | SelInodeSymlink
		kinds[nr] = [6]uint8{5, 6, 7, 1, 3, 9}
	}
	p, err := Load(Options{Selected: sel, ArgKinds: kinds, Emit: EmitExec | EmitFork | EmitExit,
		Scope: Scope{Flags: FFollow | FUIDEq, UID: map[uint32]uint8{0: FilterEq}}}, f)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(p.Methods); got != len(hooks) {
		t.Errorf("attached %d hooks (%s), want %d", got, p.Describe(), len(hooks))
	}
	if n := countTraceeProgs(t); n <= before {
		t.Errorf("no tracee programs loaded (%d before, %d now)", before, n)
	}
	if _, err := p.Stats(); err != nil {
		t.Errorf("stats: %v", err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	// The kernel frees programs after an RCU grace period: poll briefly.
	deadline := time.Now().Add(5 * time.Second)
	for n := countTraceeProgs(t); n != before; n = countTraceeProgs(t) {
		if time.Now().After(deadline) {
			t.Fatalf("%d tracee programs still loaded 5s after Close, %d before", n, before)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestOnlyNeededHooksAttach(t *testing.T) {
	testutil.RequirePrivileged(t)
	p, err := Load(Options{Selected: map[uint32]uint32{101: SelEmitExit}}, ProbeFeatures())
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
