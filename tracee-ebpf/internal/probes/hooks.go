package probes

import (
	"github.com/tracee-go/tracee/tracee-ebpf/internal/abi"
	"github.com/tracee-go/tracee/tracee-ebpf/pkg/events"
)

func anySel(o *Options, bits uint32) bool {
	for _, v := range o.Selected {
		if v&bits != 0 {
			return true
		}
	}
	return false
}

// selects reports whether any of bits is set for the syscall event name.
func selects(o *Options, name string, bits uint32) bool {
	d, ok := events.ByName(name)
	return ok && o.Selected[uint32(d.ID)]&bits != 0
}

// emits reports whether the options ask for an event the hook emits.
func emits(o *Options, hook string) bool {
	for _, e := range abi.Emitted {
		if e.Hook == hook && o.Emit&e.Emit != 0 {
			return true
		}
	}
	return false
}

func following(o *Options) bool { return o.Scope.Flags&(abi.FFollow|abi.FTree) != 0 }

// exeScoped: an executable filter, whose process-to-file records are kept
// at exec, fork and exit.
func exeScoped(o *Options) bool { return o.Scope.Flags&(abi.FExeEq|abi.FExeNe) != 0 }

// needed says, for each hook of abi.Hooks, whether the options need it
// attached: for the events it emits, and for its other duties.
var needed = map[string]func(o *Options) bool{
	"sys_exit": func(o *Options) bool { return anySel(o, abi.SelAtSysExit) },
	"sched_process_exec": func(o *Options) bool {
		// and socket_dup's check of fds 0-2 at exec
		return emits(o, "sched_process_exec") || anySel(o, abi.SelFromExec|abi.SelSocketDup) || exeScoped(o)
	},
	"sched_process_fork": func(o *Options) bool {
		return emits(o, "sched_process_fork") || following(o) || exeScoped(o) // propagates follow/tree, the executable
	},
	"sched_process_exit": func(o *Options) bool {
		return emits(o, "sched_process_exit") || anySel(o, abi.SelFromExit) || following(o) || exeScoped(o) // ends tracking
	},
	"io_uring_create": func(o *Options) bool { return emits(o, "io_uring_create") },
	// security_file_open, connect, socket_dup, magic_write and
	// security_file_truncate of io_uring requests
	"io_uring_complete": func(o *Options) bool {
		return anySel(o, abi.SelSecurityFileOpen|abi.SelSocketDup|abi.SelMagicWrite|abi.SelSecurityFileTruncate) ||
			selects(o, "connect", abi.SelEmitExit)
	},
	// the fd an io_uring connect, accept or fd install names; requests that
	// skip their completion (IOSQE_CQE_SKIP_SUCCESS), renames and links are
	// reported at submission
	"io_uring_submit_req": func(o *Options) bool {
		return anySel(o, abi.SelSecurityFileOpen|abi.SelSocketDup|abi.SelMagicWrite|abi.SelSecurityFileTruncate|
			abi.SelSecurityInodeRename|abi.SelSecurityInodeLink|abi.SelSecurityInodeSymlink|abi.SelSecurityPathUnlink) ||
			selects(o, "connect", abi.SelEmitExit)
	},
	// socket_dup of a connect onto a socket fds 0-2 hold under another number
	"inet_sock_set_state": func(o *Options) bool { return anySel(o, abi.SelSocketDup) },
	"task_rename":         func(o *Options) bool { return emits(o, "sched_process_exec") }, // prev_comm
	"cgroup_mkdir":        func(o *Options) bool { return emits(o, "cgroup_mkdir") },
	"proc_fops_check":     func(o *Options) bool { return emits(o, "proc_fops_check") }, // run by internal/procfops
}
