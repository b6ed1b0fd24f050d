package probes

// Two builds of bpf/tracee.bpf.c: tracee (tp_btf, direct BTF reads) and
// traceeraw (raw_tracepoint, every kernel read through bpf_probe_read_kernel).
//go:generate go tool bpf2go -cc clang -target bpfel -type event_ctx -type config -type syscall_arg_kinds -type compat_sc -type exec_args_limits tracee ../../../bpf/tracee.bpf.c -- -O2 -g -Wall -Werror -D__TARGET_ARCH_x86 -I/usr/include/x86_64-linux-gnu -I../../../bpf
//go:generate go tool bpf2go -cc clang -target bpfel traceeraw ../../../bpf/tracee.bpf.c -- -O2 -g -Wall -Werror -DTRACEE_PROBE_READ -D__TARGET_ARCH_x86 -I/usr/include/x86_64-linux-gnu -I../../../bpf
