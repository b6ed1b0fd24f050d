package tracer

import (
	"os/exec"
	"runtime"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	pb "github.com/tracee-go/tracee/proto/traceepb"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/abi"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/probes"
	"github.com/tracee-go/tracee/tracee-ebpf/internal/testutil"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

// TestKernelRingReserve fills a 1 MiB ring buffer nobody reads with
// ordinary events (mprotect) from this process, as a flood from many
// processes each within its budget would, then has a child PTRACE_TRACEME.
// With a budget the last quarter of the ring is the priority events': the
// flood is shed (counted) and the ptrace gets through. Without (the
// control) the ring fills and the ptrace is lost with the rest.
func TestKernelRingReserve(t *testing.T) {
	for _, reserve := range []bool{true, false} {
		name := "reserve"
		if !reserve {
			name = "no-reserve"
		}
		t.Run(name, func(t *testing.T) { testRingReserve(t, reserve) })
	}
}

func testRingReserve(t *testing.T, reserve bool) {
	testutil.RequirePrivileged(t)
	feat := probes.ProbeFeatures()
	ptrace, _ := events.ByName("ptrace")
	mprotect, _ := events.ByName("mprotect")
	sel, err := Select([]events.ID{ptrace.ID, mprotect.ID}, feat, SelectionOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var budget uint32
	if reserve {
		budget = 1 << 30 // never reached: only the reserve matters here
	}
	p, err := probes.Load(probes.Options{
		Selected: sel.Selected, ArgKinds: sel.ArgKinds, Emit: sel.Emit | abi.EmitSchedProcessFork | abi.EmitSchedProcessExit,
		Scope:           ownTree(t),
		RingBufferBytes: 1 << 20, WakeupBytes: 1 << 40, Budget: budget, Priority: []uint32{uint32(ptrace.ID)},
	}, feat)
	if err != nil {
		t.Fatal(err)
	}
	page, err := unix.Mmap(-1, 0, 4096, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Munmap(page)
	full := func() bool {
		st, err := p.Stats()
		if err != nil {
			t.Fatal(err)
		}
		return st.Shed > 0 || st.Lost > 0
	}
	for i := 0; !full(); i++ {
		if i > 1000 {
			t.Fatal("the ring never filled")
		}
		for j := 0; j < 1000; j++ {
			unix.Mprotect(page, unix.PROT_READ)
		}
	}
	for j := 0; j < 1000; j++ { // and some more, so that nothing fits
		unix.Mprotect(page, unix.PROT_READ)
	}
	runtime.LockOSThread() // ptrace requests come from the thread that is the tracer
	defer runtime.UnlockOSThread()
	cmd := exec.Command("/bin/true")
	cmd.SysProcAttr = &syscall.SysProcAttr{Ptrace: true} // the child PTRACE_TRACEMEs, then execs and stops
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	child := cmd.Process.Pid
	var ws unix.WaitStatus
	if _, err := unix.Wait4(child, &ws, 0, nil); err != nil {
		t.Fatal(err)
	}
	if err := unix.PtraceDetach(child); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	st, _ := p.Stats()
	c := runTracerLoss(t, p, map[events.ID]bool{ptrace.ID: true, mprotect.ID: true}, true)
	traceme := func(e *pb.Event) bool {
		return e.EventName == "ptrace" && int(e.HostProcessId) == child
	}
	if reserve {
		c.waitFor(t, "the child's PTRACE_TRACEME past the flood", traceme)
		if st.Shed == 0 || st.Lost != 0 {
			t.Errorf("stats %+v: want the flood shed, nothing lost for want of room", st)
		}
		return
	}
	time.Sleep(time.Second) // the reader drains the ring
	if c.find(traceme) != nil {
		t.Errorf("without the reserve the ptrace found room in a full ring: the control proves nothing")
	}
	if st.Lost == 0 || st.Shed != 0 {
		t.Errorf("stats %+v: want losses, nothing shed", st)
	}
}
