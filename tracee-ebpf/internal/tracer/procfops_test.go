package tracer

import (
	"io"
	"os"
	"testing"
	"time"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/abi"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/probes"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/procfops"
)

// The hooked_proc_fops check on this (clean) kernel: with the addresses
// kallsyms gives, nothing mismatches and nothing is emitted; with one
// expected address made wrong through the test-only override, exactly that
// pointer mismatches and the event carries the real address — proof that
// the program reads the pointer it claims (the order of
// abi.ProcFopsPointers) and that the emit path works. Both builds.
func TestKernelHookedProcFops(t *testing.T) {
	for _, raw := range []bool{false, true} {
		name := "tp_btf"
		if raw {
			name = "raw_tracepoint"
		}
		t.Run(name, func(t *testing.T) {
			feat := probes.ProbeFeatures()
			if raw {
				feat.Have[probes.FacilityTpBtf] = false
			}
			c := startTracingWith(t, feat, "hooked_proc_fops")
			chk, err := procfops.New(c.probes, "/proc", "/proc/kallsyms", nil, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			defer chk.Close()
			for i := 0; i < 3; i++ {
				if hooked, err := chk.Check(); err != nil || hooked != 0 {
					t.Fatalf("true addresses: hooked %#x, err %v", hooked, err)
				}
			}
			kf, err := kallsymsExpected()
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range abi.ProcFopsPointers {
				wrong, err := procfops.New(c.probes, "/proc", "/proc/kallsyms",
					map[string]uint64{p.Symbol: kf[i] + 16}, io.Discard)
				if err != nil {
					t.Fatal(err)
				}
				hooked, err := wrong.Check()
				wrong.Close()
				if err != nil || hooked != 1<<i {
					t.Fatalf("%s wrong: hooked %#x, err %v; want %#x", p.Symbol, hooked, err, 1<<i)
				}
				ev := c.waitFor(t, "hooked_proc_fops for "+p.Symbol, func(e *pb.Event) bool {
					a := arg(e, "hooked")
					return e.EventName == "hooked_proc_fops" && a != nil && a.GetUint() == 1<<i
				})
				if got := arg(ev, p.Arg).GetUint(); got != kf[i] {
					t.Errorf("%s: event argument %s = %#x, want the real %#x", p.Symbol, p.Arg, got, kf[i])
				}
				if r := arg(ev, "hooked").GetRepr(); r != p.Symbol {
					t.Errorf("hooked repr %q, want %q", r, p.Symbol)
				}
			}
			// the true addresses, checked between the wrong ones, never fired
			time.Sleep(100 * time.Millisecond)
			n := 0
			c.mu.Lock()
			for _, e := range c.evs {
				if e.EventName == "hooked_proc_fops" {
					n++
				}
			}
			c.mu.Unlock()
			if n != len(abi.ProcFopsPointers) {
				t.Errorf("%d hooked_proc_fops events, want exactly %d (one per wrong address)", n, len(abi.ProcFopsPointers))
			}
		})
	}
}

func kallsymsExpected() ([]uint64, error) {
	f, err := os.Open("/proc/kallsyms")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return procfops.Expected(f)
}
