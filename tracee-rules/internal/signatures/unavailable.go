package signatures

// UnavailableDetection is a Tracee detection this build does not run, and why.
type UnavailableDetection struct {
	ID, Name, Reason string
}

// Unavailable lists Tracee's detections that have no signature here. --list
// shows them after the signatures; --rules naming one is an error giving the
// reason.
var Unavailable = []UnavailableDetection{
	{"TRC-1030", "Syscall table hooking detected",
		"unavailable on this kernel: x86-64 Linux 6.18 dispatches system calls through x64_sys_call()/" +
			"ia32_sys_call(), switches of direct calls, so sys_call_table is off the dispatch path (a hooked entry " +
			"would change nothing and an unchanged table proves nothing); kallsyms lists no sys_call_table " +
			"(no CONFIG_KALLSYMS_ALL) to read it; and code can only reach the kernel by patching its text, " +
			"since there is no module support (init_module/finit_module fail with ENOSYS)"},
}
