package abi

import "github.com/tracee-go/tracee/tracee-ebpf/pkg/events"

// Hook is one attach point: the tracepoint and the program (the same name
// in both objects; tp_btf in Tracee, raw_tp in TraceeRaw).
type Hook struct {
	Name string // tracepoint
	Prog string // program name
	// OnDemand: never attached; a raw_tp program in both objects that
	// tracee-ebpf runs with BPF_PROG_TEST_RUN (Probes.Run).
	OnDemand bool
}

// DerivedEvent is an event the sys_exit hook derives from the listed
// syscalls when their selection has Sel.
type DerivedEvent struct {
	ID       events.ID
	Sel      uint32
	Syscalls []string
}

// EmittedEvent is an event a hook other than sys_exit emits when
// config.emit has Emit.
type EmittedEvent struct {
	ID   events.ID
	Hook string
	Emit uint32
}

// RecordHeader is the fixed header of every record (struct event_ctx),
// as bpf2go exported it from the tp_btf object.
type RecordHeader = TraceeEventCtx

// Config is the global configuration (struct config).
type Config = TraceeConfig

// SyscallArgKinds is one entry of the syscall_args map.
type SyscallArgKinds = TraceeSyscallArgKinds

// Str16 is the key of the string filter maps.
type Str16 = TraceeStr16

// ProcFopsPointers are the operations the proc_fops_check program reads
// (bpf/hooks/proc_fops.h), in its order: bit i of hooked_proc_fops' hooked,
// test-run context word ProcFopsExpectedArg+i (the expected address) and
// event argument i+1 (the address found) are pointer i. Symbol is the
// kernel function (kallsyms text symbol) the pointer must hold.
var ProcFopsPointers = []struct{ Symbol, Pointer string }{
	{"proc_root_readdir", "/proc f_op->iterate_shared"},
	{"proc_root_lookup", "/proc f_inode->i_op->lookup"},
	{"proc_tgid_base_readdir", "/proc/PID f_op->iterate_shared"},
	{"proc_tgid_base_lookup", "/proc/PID f_inode->i_op->lookup"},
}

// Test-run context of proc_fops_check (u64 words): the fds of /proc and of
// /proc/self in the calling process, then the expected addresses.
const (
	ProcFopsRootFdArg   = 0
	ProcFopsPidFdArg    = 1
	ProcFopsExpectedArg = 2
)

// Bits of proc_fops_check's return value besides the mismatch bits (0..3).
const (
	ProcFopsReadFailed = 1 << 8  // a kernel read failed: nothing compared
	ProcFopsNoFile     = 1 << 9  // an fd did not resolve to a file
	ProcFopsNoRecord   = 1 << 10 // no scratch record: a mismatch was not emitted
)
