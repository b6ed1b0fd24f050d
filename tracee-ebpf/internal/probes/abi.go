package probes

// Selection bits per syscall (mirror SEL_* in bpf/lib/event.h).
const (
	SelEmitExit     uint32 = 1 << 0
	SelFailedOnly   uint32 = 1 << 1 // with SelEmitExit: only when the call failed
	SelFileOpen     uint32 = 1 << 2
	SelSocketDup    uint32 = 1 << 3
	SelMagicWrite   uint32 = 1 << 4
	SelFromExec     uint32 = 1 << 5 // successful execve/execveat, from sched_process_exec
	SelFromExit     uint32 = 1 << 6 // exit/exit_group, from sched_process_exit
	SelInodeLink    uint32 = 1 << 7
	SelInodeSymlink uint32 = 1 << 8

	selAtSysExit = SelEmitExit | SelFileOpen | SelSocketDup | SelMagicWrite | SelInodeLink | SelInodeSymlink
)

// Kernel event emission bits (EMIT_* in event.h).
const (
	EmitFork uint32 = 1 << 0
	EmitExec uint32 = 1 << 1
	EmitExit uint32 = 1 << 2
)

// Scope filter bits (F_* in event.h).
const (
	FUIDEq uint32 = 1 << iota
	FUIDNe
	FPIDEq
	FPIDNe
	FMntNSEq
	FMntNSNe
	FPidNSEq
	FPidNSNe
	FCommEq
	FCommNe
	FUTSEq
	FUTSNe
	FUIDLt
	FUIDGt
	FPIDLt
	FPIDGt
	FContainer
	FNotContainer
	FNewPID
	FFollow
	FTree
)

// Filter map values.
const (
	FilterEq uint8 = 1
	FilterNe uint8 = 2
)

// Counters in the stats map (STAT_* in event.h).
const (
	statLost = iota
	statReadFailed
	statTruncated
	statFiltered
	statMax
)

// slotMax is SLOT_MAX in event.h: scratch records per CPU.
const slotMax = 4

// MaxSyscall bounds syscall numbers (MAX_SYSCALL_ID in events_gen.h).
const MaxSyscall = 512
