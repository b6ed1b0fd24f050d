// Package derive produces user-space derived events from the events the
// kernel delivers: security_bprm_check from sched_process_exec,
// security_socket_connect from connect and security_sb_mount from mount.
// (mem_prot_alert is derived in the kernel, bpf/derived/mem_prot_alert.h:
// whether memory holds written data is the kernel's to tell.) Derivations are table-driven: a registry
// keyed by source event name. A derived event copies the context of its
// source and has its own id, name and arguments (named and typed from the
// events table).
package derive
