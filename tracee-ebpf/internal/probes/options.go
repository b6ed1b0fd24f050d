package probes

import "github.com/tracee-go/tracee/tracee-ebpf/internal/abi"

// Scope holds the in-kernel scope filters.
type Scope struct {
	Flags                      uint32 // abi.F* bits
	UIDLt, UIDGt, PIDLt, PIDGt uint64
	UID, PID, MntNS, PidNS     map[uint32]uint8 // value abi.FilterEq or abi.FilterNe
	Comm, UTS                  map[string]uint8
	Tree                       []uint32 // processes (and their descendants) to trace with abi.FTree
	HostMntNS                  uint32
	StartTime                  uint64 // CLOCK_MONOTONIC ns, for abi.FNewPid
}

// Options configure what the kernel side sends.
type Options struct {
	Selected        map[uint32]uint32   // syscall nr -> abi.Sel* bits
	ArgKinds        map[uint32][6]uint8 // syscall nr -> encoding of its six arguments
	Emit            uint32              // abi.Emit* bits
	Scope           Scope
	RingBufferBytes uint32 // power of two, multiple of the page size
	WakeupBytes     uint64 // wake the reader when this much is pending
	TraceePID       uint32 // never traced
	DataFilters     DataFilters
	// Budget is how many events per second one process may send (0: no
	// limit); Priority events (ids) get ten times as many, and with a
	// budget the last quarter of the ring buffer is kept for them.
	Budget     uint32
	Priority   []uint32
	ObjectFile string // load this BPF object instead of the embedded one (TRACEE_BPF_FILE)
	Capture    *CaptureOptions
	Network    *NetworkOptions
	// ExecArgsMax is how many bytes of argv, and of env, an exec event
	// keeps (more is cut and flagged); at most ExecArgsCap. 0 or up to
	// 8 KiB: the 8 KiB of a normal record.
	ExecArgsMax uint32
}

// ExecArgsCap is the largest ExecArgsMax (EXEC_ARGS_CAP in bpf/lib/bigargs.h).
const ExecArgsCap = uint32(abi.TraceeExecArgsLimitsEXEC_ARGS_CAP)
