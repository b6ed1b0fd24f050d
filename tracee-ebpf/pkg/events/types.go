package events

// ID identifies an event. Syscall events use the x86_64 syscall number;
// other events start at 1000.
type ID int32

// ArgKind is how an argument is encoded in a raw kernel record. The values
// (ArgNone, ArgInt, ...) are generated with enum arg_kind of
// bpf/lib/events_gen.h from the schema's kinds.
type ArgKind uint8

// Source says where an event is produced.
type Source uint8

const (
	SourceSyscall   Source = iota // the generic sys_enter/sys_exit path
	SourceKernel                  // a dedicated BPF program (sched_*, security_file_open, ...)
	SourceUserspace               // derived in user space from other events (see Deps)
)

// Param is one argument of an event, in order.
type Param struct {
	Name   string  // "pathname"
	Type   string  // C type as Tracee prints it: "const char*", "int", ...
	Kind   ArgKind // encoding in the raw record
	Format string  // symbolic renderer for flags/enums ("open_flags", "prot", ...), "" for none
}

// Definition describes one event.
type Definition struct {
	ID      ID
	Name    string
	Sets    []string // "syscalls", "fs", "proc", "net", "default", ...
	Params  []Param
	Source  Source
	AtEntry bool     // syscall emitted at sys_enter (execve, exit, ...) instead of sys_exit
	Deps    []string // events this one is derived from (user-space derived events)
	// Requires lists kernel facilities the event needs ("kprobe", "lsm").
	// An event whose requirement is missing is listed but refused when asked for.
	Requires []string
	Internal bool // not selectable by users (helper events)
}
