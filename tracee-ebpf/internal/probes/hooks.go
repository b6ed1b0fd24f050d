package probes

// hook is one attach point with its program for each attach method.
type hook struct {
	name    string
	btfProg string // tp_btf entry point
	rawProg string // raw_tracepoint entry point
	needed  func(o *Options) bool
	tpName  string
}

func anySel(o *Options, bits uint32) bool {
	for _, v := range o.Selected {
		if v&bits != 0 {
			return true
		}
	}
	return false
}

var hooks = []hook{
	{"sys_exit", "tracee_sys_exit_btf", "tracee_sys_exit_raw", func(o *Options) bool { return anySel(o, selAtSysExit) }, "sys_exit"},
	{"sched_process_exec", "tracee_sched_exec_btf", "tracee_sched_exec_raw", func(o *Options) bool {
		return o.Emit&EmitExec != 0 || anySel(o, SelFromExec)
	}, "sched_process_exec"},
	{"sched_process_fork", "tracee_sched_fork_btf", "tracee_sched_fork_raw", func(o *Options) bool {
		return o.Emit&EmitFork != 0 || o.Scope.Flags&(FFollow|FTree) != 0
	}, "sched_process_fork"},
	{"sched_process_exit", "tracee_sched_exit_btf", "tracee_sched_exit_raw", func(o *Options) bool {
		return o.Emit&EmitExit != 0 || anySel(o, SelFromExit) || o.Scope.Flags&(FFollow|FTree) != 0
	}, "sched_process_exit"},
}
