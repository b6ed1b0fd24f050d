package probes

import (
	"strings"
	"testing"
	"time"

	"github.com/cilium/ebpf"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/testutil"
)

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
	f := ProbeFeatures()
	sel := map[uint32]uint32{}
	kinds := map[uint32][6]uint8{}
	// every syscall, every kind and every derived event: all programs verify
	for nr := uint32(0); nr < 470; nr++ {
		sel[nr] = SelEmitExit | SelFileOpen | SelSocketDup | SelMagicWrite | SelFromExec | SelFromExit | SelInodeLink | SelInodeSymlink
		kinds[nr] = [6]uint8{5, 6, 7, 1, 3, 9}
	}
	p, err := Load(Options{Selected: sel, ArgKinds: kinds, Emit: EmitExec | EmitFork | EmitExit,
		Scope:   Scope{Flags: FFollow | FUIDEq, UID: map[uint32]uint8{0: FilterEq}},
		Capture: &CaptureOptions{Flags: CaptureWrite | CaptureModule | CaptureBPF | CaptureMemfd | CaptureMem, Prefixes: []string{"/tmp/", "/etc/"}},
		Network: &NetworkOptions{Snaplen: 128}}, f)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(p.Methods); got != len(hooks)+1 { // + network
		t.Errorf("attached %d hooks (%s), want %d", got, p.Describe(), len(hooks)+1)
	}
	if _, err := p.Stats(); err != nil {
		t.Errorf("stats: %v", err)
	}
	// Our own programs, by id: others may load and unload tracers meanwhile.
	var ids []ebpf.ProgramID
	for name, prog := range p.coll.Programs {
		info, err := prog.Info()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		id, _ := info.ID()
		ids = append(ids, id)
	}
	if len(ids) == 0 || len(liveProgs(ids)) != len(ids) {
		t.Errorf("programs %v not all loaded", ids)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	// The kernel frees programs after an RCU grace period: poll briefly.
	deadline := time.Now().Add(5 * time.Second)
	for left := liveProgs(ids); len(left) > 0; left = liveProgs(ids) {
		if time.Now().After(deadline) {
			t.Fatalf("programs %v still loaded 5s after Close", left)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// liveProgs returns the ids that still name a loaded program.
func liveProgs(ids []ebpf.ProgramID) []ebpf.ProgramID {
	var out []ebpf.ProgramID
	for _, id := range ids {
		if p, err := ebpf.NewProgramFromID(id); err == nil {
			p.Close()
			out = append(out, id)
		}
	}
	return out
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
