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

// ProcFopsPointer is one pointer the hooked_proc_fops check reads
// (abi.yaml proc_fops_pointers): Symbol is the kernel function (kallsyms
// text symbol) it must hold, Arg the event argument with the address found.
type ProcFopsPointer struct {
	Symbol, Arg, Pointer string
}
