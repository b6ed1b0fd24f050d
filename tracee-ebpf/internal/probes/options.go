package probes

import "github.com/tracee-go/tracee/tracee-ebpf/internal/abi"

// Scope holds the in-kernel scope filters of up to 64 policies: bit i of
// every bitmap is policy i (bpf/lib/filter.h). The zero Scope is one policy
// with no filter.
type Scope struct {
	Policies     uint64     // the policies loaded; 0: one (bit 0)
	Flags        uint32     // abi.F* bits some policy has
	FlagPolicies [32]uint64 // per abi.F* bit number: the policies that have it
	// Ranges are the uid and pid bounds (inclusive) of the policies with
	// abi.FUidLt/Gt or abi.FPidLt/Gt.
	Ranges                 map[int]abi.TraceeScopeRange
	UID, PID, MntNS, PidNS map[uint32]abi.TraceeScopeBits // key -> policies with key= (Eq), key!= (Ne)
	Comm, UTS              map[string]abi.TraceeScopeBits
	Exe                    map[abi.TraceeFileId]abi.TraceeScopeBits // executables by identity
	Tree                   map[uint32]uint64                        // process -> policies it is a tree= root (or descendant) of
	HostMntNS              uint32
	StartTime              uint64 // CLOCK_MONOTONIC ns, for abi.FNewPid
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
