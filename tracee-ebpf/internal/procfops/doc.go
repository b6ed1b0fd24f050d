// Package procfops runs the hooked_proc_fops check: are the directory
// operations of /proc still the kernel's own functions? A rootkit hides
// processes by replacing the readdir (i_fop->iterate_shared) or lookup
// (i_op->lookup) of the /proc root or of /proc/PID directories' inodes.
//
// This kernel has no kprobes, fentry or data symbols in kallsyms (the
// operations tables cannot be found by name), so the check reads the
// pointers through files: tracee-ebpf opens /proc and /proc/self itself,
// and at start and every interval runs the on-demand BPF program
// proc_fops_check (probes.Run, BPF_PROG_TEST_RUN, current task = us) with
// those fds and the addresses of the functions the pointers must hold,
// resolved here from /proc/kallsyms text symbols. The program compares in
// the kernel and emits hooked_proc_fops on a mismatch into the event stream.
//
// Expected.Override is test-only: it replaces an expected address so that
// tests can show the mismatch path fires (and that the true addresses do
// not) without a rootkit.
package procfops
