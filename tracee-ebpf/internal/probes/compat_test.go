package probes

import (
	"maps"
	"testing"

	"github.com/tracee-go/tracee/tracee-ebpf/internal/abi"
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

// The raw-number bit sys_exit tests first is set on the i386 number of every
// selected x86_64 event (ptrace is 101 there, 26 in i386), on the
// multiplexer of a selected multiplexed call (connect: its own 362 and
// socketcall's 102), and on nothing else.
func TestI386Work(t *testing.T) {
	const ptrace, connect, getppid = 101, 42, 110
	work := i386Work(map[uint32]uint32{
		ptrace:  abi.SelEmitExit,
		connect: abi.SelSocketDup, // a derivation is work too
		getppid: abi.SelFromExec,  // not sys_exit's
	})
	want := map[uint32]uint32{26: abi.SelI386AtExit, 362: abi.SelI386AtExit, 102: abi.SelI386AtExit}
	if !maps.Equal(work, want) {
		t.Errorf("i386 work %v, want %v", work, want)
	}
}
