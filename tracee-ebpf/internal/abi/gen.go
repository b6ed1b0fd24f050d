package abi

// Two builds of bpf/tracee.bpf.c: Tracee (tp_btf, direct BTF reads) and
// TraceeRaw (raw_tracepoint, every kernel read through bpf_probe_read_kernel).
// Run after pkg/events' go generate, which writes the C headers and abi_gen.go.
//go:generate go tool bpf2go -cc clang -target bpfel -type event_ctx -type config -type syscall_arg_kinds -type compat_sc -type exec_args_limits -type df_event -type df_strtab -type df_str_key -type df_op -type df_abi -type budget -type dir_id -type dir_name -type file_id -type scope_bits -type scope_range Tracee ../../../bpf/tracee.bpf.c -- -O2 -g -Wall -Werror -D__TARGET_ARCH_x86 -I/usr/include/x86_64-linux-gnu -I../../../bpf
//go:generate go tool bpf2go -cc clang -target bpfel TraceeRaw ../../../bpf/tracee.bpf.c -- -O2 -g -Wall -Werror -DTRACEE_PROBE_READ -D__TARGET_ARCH_x86 -I/usr/include/x86_64-linux-gnu -I../../../bpf
