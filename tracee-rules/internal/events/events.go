package events

// derived are the non-syscall events of docs/design.md.
var derived = map[int32]string{
	1002: "sched_process_fork",
	1003: "sched_process_exec",
	1004: "sched_process_exit",
	1010: "security_file_open",
	1011: "security_bprm_check",
	1012: "security_socket_connect",
	1013: "socket_dup",
	1014: "mem_prot_alert",
	1015: "magic_write",
}

var byName = func() map[string]int32 {
	m := make(map[string]int32, len(syscalls)+len(derived))
	for id, n := range syscalls {
		m[n] = id
	}
	for id, n := range derived {
		m[n] = id
	}
	return m
}()

// ID returns the id of a known event name.
func ID(name string) (int32, bool) {
	id, ok := byName[name]
	return id, ok
}

// Name returns the name of a known event id.
func Name(id int32) (string, bool) {
	if n, ok := syscalls[id]; ok {
		return n, true
	}
	n, ok := derived[id]
	return n, ok
}

// Known reports whether name is an event tracee-ebpf can produce.
func Known(name string) bool {
	_, ok := byName[name]
	return ok
}
