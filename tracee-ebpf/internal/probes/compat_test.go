package probes

import (
	"testing"

	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

// Keys and entries of the kernel's compat map: direct numbers below
// events.MaxSyscallID, each multiplexer's calls after, arguments as permutations.
func TestCompatEntries(t *testing.T) {
	keys := map[uint32]string{}
	for _, c := range events.CompatSyscalls() {
		k, err := compatKey(c)
		if err != nil {
			t.Fatal(err)
		}
		if other, ok := keys[k]; ok {
			t.Fatalf("key %d used by %s and %s", k, other, c.Name)
		}
		keys[k] = c.Name
		e := compatEntry(c)
		switch {
		case c.Name == "mmap2":
			if e.Pgoff != 5 || e.Args != [6]int8{0, 1, 2, 3, 4, 5} {
				t.Errorf("mmap2 entry %+v", e)
			}
		case c.Name == "socketcall":
			if e.Mux != 1 || e.ArgsMem != 1 || e.Event != 0 {
				t.Errorf("socketcall entry %+v", e)
			}
		case c.Mux == "ipc" && c.Name == "SHMAT":
			if k != events.MaxSyscallID+2*events.MaxCompatCall+21 || e.Args != [6]int8{1, 4, 2, -1, -1, -1} || e.Mux != 0 {
				t.Errorf("ipc SHMAT key %d entry %+v", k, e)
			}
		case c.Name == "ptrace":
			if k != 26 || e.Event != 101 || e.Valid != 1 || e.Pgoff != -1 || e.ArgsMem != -1 {
				t.Errorf("ptrace key %d entry %+v", k, e)
			}
		}
	}
	if _, err := compatKey(events.Compat{I386: -1, Mux: "nosuch", Name: "x"}); err == nil {
		t.Error("unknown multiplexer accepted")
	}
	if _, err := compatKey(events.Compat{I386: events.MaxSyscallID, Name: "x"}); err == nil {
		t.Error("number out of range accepted")
	}
}
